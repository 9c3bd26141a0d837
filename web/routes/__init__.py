"""One router per area of the application; ``web.app.create_app`` includes each."""
