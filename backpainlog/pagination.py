"""API list pagination (docs/api.md#pagination: ``?page=``, ``?page_size=`` up to 500).

A module of its own: REST framework imports it while loading its generic views.
"""

from typing import Any

from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int:
        # REST framework silently falls back to the default for a page size it cannot
        # read; a client asking for ``page_size=ten`` should learn that it is wrong.
        # Sizes above the maximum are still cut to it (docs/api.md#pagination: "up to 500").
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        # Read only as far as a page size can go: int() refuses a string of thousands of
        # digits (a ValueError, which was a 500), and anything longer is cut to the
        # maximum anyway.
        if not raw.isascii() or not raw.isdigit():
            raise exceptions.ValidationError({self.page_size_query_param: ["Enter a whole number from 1."]})
        digits = raw.lstrip("0") or "0"
        if len(digits) > len(str(self.max_page_size)):
            return self.max_page_size
        if int(digits) < 1:
            raise exceptions.ValidationError({self.page_size_query_param: ["Enter a whole number from 1."]})
        return min(int(digits), self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Results per page, {self.page_size} unless given; at most {self.max_page_size} (larger sizes are cut to it)."
                )
        return parameters
