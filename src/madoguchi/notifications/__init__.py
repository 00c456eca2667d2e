"""One path for every message to a resident: queued in an outbox, rendered and sent later.

A write that concerns a resident calls `services.notification_queue` inside its own transaction.
That stores a `Notification` row (which template, for which row, in which language — secrets and
addresses that exist nowhere else only sealed) and, once the transaction commits, enqueues a task
whose only argument is the row's id. The task renders the templates in the recipient's language
from the data as it is at send time, hands the message to its channel (`channels/`: e-mail now,
SMS/LINE later) and records the outcome. A failing send never reaches the resident's request: it
is recorded without personal data and retried with backoff; the sealed part is erased once the
message is sent or has finally failed.

What each template needs is registered by the app that owns it, in its `notices.py`
(`contexts.context_for`), found at start-up like admin modules.
"""
