"""Path converters of the report addresses: reports/<reportkind:kind>/<isoday:day>/."""


class ReportKindConverter:
    """daily | weekly | monthly in a report address."""

    regex = "daily|weekly|monthly"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class IsoDayConverter:
    """YYYY-MM-DD; the view checks that it is a real date (2026-02-30 is a 404)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
