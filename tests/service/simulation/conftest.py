from tests.service.orders.conftest import shop  # noqa: F401  (orders placed to hold stock)
