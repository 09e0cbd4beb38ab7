"""The committee's website: Wagtail page types.

Language: the site is written in Chinese. A page has an English version when its English title
(``title_en``) is filled; then, for a visitor reading in English, each field with an ``_en``
twin shows the English text (falling back to the Chinese one where the twin is empty), and the
rest of the page is marked ``lang="zh-hans"``. Wagtail's own localisation (one page tree per
locale) is off: the committee translates a few pages, not a second site.

Search: every page keeps ``search_text``, the plain text of its title and body, refreshed on
each save of the live page; the site search matches substrings of it, which works for Chinese
where the database backend's word tokenizer does not (it does not segment ``机器人``).

The page types live by family, one module each: ``base`` (what every page shares), ``home``
(home and standard pages), ``news`` (news and meeting notices), ``members`` (the member
directory), ``conclusions`` (published conclusions and expert proposals), ``policy`` (the
policy library). The lists a page shows of its children sit beside its page type: models never
import ``cms.selectors`` (the site search). Imported here in the order the page types have
always been registered.
"""

# The order Django registers the page types in, as when they were one module: not sorted.
# isort: off
from cms.models.base import RICH_TEXT_FEATURES, IndexPage, SitePage, reading_english, visible
from cms.models.home import HomePage, StandardPage
from cms.models.news import MeetingNoticePage, NewsIndexPage, NewsPage, NoticeIndexPage
from cms.models.members import MemberDirectoryPage
from cms.models.conclusions import ConclusionIndexPage, ConclusionPage, ProposalPage
from cms.models.policy import PolicyDocument, PolicyLibraryPage
# isort: on

__all__ = [
    "RICH_TEXT_FEATURES",
    "ConclusionIndexPage",
    "ConclusionPage",
    "HomePage",
    "IndexPage",
    "MeetingNoticePage",
    "MemberDirectoryPage",
    "NewsIndexPage",
    "NewsPage",
    "NoticeIndexPage",
    "PolicyDocument",
    "PolicyLibraryPage",
    "ProposalPage",
    "SitePage",
    "StandardPage",
    "reading_english",
    "visible",
]
