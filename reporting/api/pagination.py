"""The API's pages: 50 results a page by default (``page_size`` up to 200), with the count and the next and
previous pages' addresses."""

from rest_framework import pagination


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
