"""The web application: server-rendered GOV.UK Design System pages over ``services/``.

``web.app.create_app`` builds it; ``ehc serve`` runs it with uvicorn. Pages live in
``web/routes/`` (one router per area), templates in ``web/templates/``, and the built
GOV.UK Frontend CSS/JS in ``web/static/build/`` (made by ``scripts/setup``).
"""
