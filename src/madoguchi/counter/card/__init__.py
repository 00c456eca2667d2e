"""The My Number card reader agent (`madoguchi card-agent`): APDUs, BER-TLV, the emulated card.

Pure Python, importable without Django: the agent runs on the counter PC before any settings
exist. docs/card-agent.md describes the APDU flow, CARD.json and the security rules.
"""
