"""Workflows that span apps: each calls every app's services in order, in one transaction.

Some changes a person makes at once belong to two apps: the intake finds or creates the
customer (``customers``) and opens their ticket (``tickets``); a contact merge moves the
contact's tickets (``tickets``) and folds the contact into the one it duplicates
(``customers``). Each app's services know only their own app and the apps below it
(``tickets`` depends on ``customers``, never the reverse), so the step that crosses over has
to live above both. It lives here, not in either app, for three reasons:

- the dependency graph stays one-way, with no import inside a function to dodge a cycle
  (``tools/lint.py`` refuses those);
- a reader who asks "what happens when a ticket comes in?" opens one short module that names
  each step, instead of finding a tickets service that quietly writes customers;
- adapters (the API, the admin, the demo, later the mail and chat channels) call one function
  for the whole change, as they call one service for a change inside an app.

A workflow is a plain function, not a Django app: it has no models and writes nothing itself.
Workflows import apps' services; no app imports a workflow, except the adapters at the edge.
"""
