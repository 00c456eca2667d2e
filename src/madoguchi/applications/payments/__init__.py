"""Fees and payment (手数料と支払い) of applications: records, providers, services, pages.

The amount comes from the procedure's form definition (procedures.formdef.fees); this package
keeps what was charged and paid for each application. Providers (providers/) are a small
registry behind a Protocol: the demo one takes payment at the counter or through a test card
page served by the app itself. docs/fees.md describes the whole.
"""
