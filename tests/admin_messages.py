"""Reading the messages the admin showed after a request."""

from django.contrib.messages import get_messages


def messages_of(response) -> list[tuple[str, str]]:
    """(level, text) of each message the request left for the user."""
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]
