from tests.service.orders.conftest import shop  # noqa: F401  (a catalogue with stock)
