"""The one exception type whose message is shown to users as it is (French, actionable)."""


class UserError(Exception):
    """A problem the user can fix; ``str(error)`` is a French sentence saying what to do."""
