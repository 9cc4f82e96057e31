from __future__ import annotations

from tests.service.fulfilment.conftest import warehouse  # noqa: F401  (fixture)
