from tests.service.fulfilment.conftest import warehouse  # noqa: F401  (fixture)
from tests.service.orders.conftest import shop  # noqa: F401  (fixture)
