"""The clinic portal at /clinic/: the physiotherapist's web app (server-rendered pages with
htmx), built on the same selectors and services as the API. The API's caseload views stay in
apps/clinic/views.py; everything of the portal lives in this package and in
apps/clinic/templates/clinic/ and apps/clinic/static/clinic/."""
