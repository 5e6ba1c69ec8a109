"""API list pagination (API.md: ``?page=``, ``?page_size=`` up to 500).

A module of its own: REST framework imports it while loading its generic views.
"""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
