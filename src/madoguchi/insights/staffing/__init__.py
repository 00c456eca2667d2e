"""Staffing: how many windows to open when (docs/staffing.md).

Pure Python (no Django, no database): Erlang C and Erlang A (`erlang`), a SimPy simulation of a
counter day (`simulation`), rosters from an integer program checked by the simulation (`roster`),
days built from hourly counts and the what-ifs (`workload`), and the `madoguchi insights erlang`
command (`cli`). The dashboards feed it measured arrivals and service times.
"""
