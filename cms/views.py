"""The site search page: pages by substring, members by name or pinyin initials."""

from django.template.response import TemplateResponse

from cms import selectors
from experts.public import public_members_matching


def search(request):
    query = selectors.clean_query(request.GET.get("q"))
    context = {
        "query": query,
        "pages": selectors.search_pages(query) if query else [],
        "members": public_members_matching(query) if query else [],
    }
    return TemplateResponse(request, "cms/search.html", context)
