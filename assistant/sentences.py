"""Sentences: splitting text, telling a draftable sentence from report furniture (figures: assistant.figures).

Shared by the offline drafter (which picks sentences), the verifier (which
checks them) and the evals (which count them).
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.grammar import has_main_verb

_PARA_NUMBER = re.compile(r"^\s*(?:\(?\d{1,2}(?:\.\d{1,2}){0,3}\)?\.?|[\u2022\u25cf\u25aa\-\*\u00b7]|\(?[a-z]\))\s+(?=\S)")
_CLOSERS = "\"'\u201d\u2019)"
# A draft's citation markers: "[3]", "[2, 5]".
CITATION_MARKS = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")
_EMAIL_URL_PHONE = re.compile(r"@|https?://|www\.|\b0\d{3,4}\s?\d{3}\s?\d{3,4}\b|\[click here", re.IGNORECASE)
_BOILERPLATE = re.compile(
    r"^(present|apologies|also in attendance|officers\s*(?:present\s*)?:|resolved|ordered|recommendations?(?:\s*:|\s+(?:to|that)\b)|contact officer|background papers|"
    r"report of|report to|date of meeting|agenda|item \d|the meeting (closed|ended)|chair\b|minutes of|key decision|"
    r"portfolio holder|lead officer|author|owner|approved by|agreed by|that cabinet|that council|cabinet is asked|"
    r"this report|the purpose of this report|purpose of (the )?report|in writing this report|appendix|ref\b|declarations? of interest)",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


# The marks a list item opens with, as the loaders write lists (ingest.normalise.BULLET_MARK) and as pasted text has them.
LIST_BULLETS = "\u2022\u25cf\u25aa"


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage, paragraph by paragraph, whitespace normalised. A list item (a line opening
    with a bullet, as the loaders write lists) is a unit of its own, never run into its neighbours."""
    out: list[str] = []
    for para in re.split(rf"\n\s*\n|\n(?=\s*[{LIST_BULLETS}]\s)", text):
        para = " ".join(para.split())
        if not para:
            continue
        for piece in (s.strip() for s in _segmenter().segment(para)):
            if piece and out and ((_INSIDE_A_NAME.search(out[-1]) and _NAME_GOES_ON.match(piece))
                                  or (_ABBREVIATION_END.search(out[-1]) and piece[:1].isupper())):
                out[-1] = f"{out[-1]} {piece}"  # "the Let's Go Green!" + "Strategy names ..."; "Hall,St." + "Owen Street"
            elif piece:
                out.append(piece)
    return out


# An exclamation mark inside a title ("within the Let's Go Green! Strategy"): the words before it are capitalised after
# a lower-case word, and the next piece goes on with a noun rather than a new subject. "We did it! The council
# saved £2m." and "Well Done! Staff worked hard." still split.
_INSIDE_A_NAME = re.compile(r"(?:^(?:The|A|An|Our)\s+|\s[a-z]+\s+)(?:[A-Z][\w'\u2019]*\s+){1,3}[A-Z][\w'\u2019]*!$")
# An abbreviation the segmenter ends a sentence on when no space comes before it ("the Town Hall,St. Owen Street").
_ABBREVIATION_END = re.compile(r"(?:^|[\s,(/])(?:St|Cllr|Mr|Mrs|Ms|Dr|Rd|No|Nos|Ltd|Co|approx|ref)\.$")
_NAME_GOES_ON = re.compile(r"(?!(?:The|This|That|These|Those|We|Our|It|Its|They|Their|A|An|In|On|At|By|For|If|But|And)\b)"
                           r"[A-Z][a-z]+\s+[a-z]")


def strip_numbering(sentence: str) -> str:
    """'2.1 Phase one ran...' -> 'Phase one ran...': report paragraph numbers are not prose."""
    return _PARA_NUMBER.sub("", _PARA_NUMBER.sub("", sentence, count=1), count=1).strip()  # "- 2.4 Text"


# Why a sentence cannot stand in a draft (sentence_problem's answers).
FRAGMENT = "fragment"
TABLE_ROW = "table row"
HEADING = "heading"
DANGLING = "dangling opener"
MINUTES = "minute formula"
BOILERPLATE = "boilerplate"
CONTACT = "contact details"
PROBLEMS = (FRAGMENT, TABLE_ROW, HEADING, DANGLING, MINUTES, BOILERPLATE, CONTACT)


# Measured on hand-labelled real council sentences (evals/metrics/sentence_quality.py, dev councils only):
# minutes and committee reports are mostly who-said-what, agenda and decision formulas, and
# statements about the report itself, none of which is the council's plan.
_VERBS = (r"(?:asked|advised|noted|said|stated|explained|confirmed|provided|presented|sought|highlighted|questioned|queried|"
          r"responded|replied|welcomed|thanked|commented|emphasi[sz]ed|added|reported|spoke|sat|introduced|moved|seconded|"
          r"agreed|suggested|raised|undertook|informed|clarified|requested|expressed|acknowledged|outlined|gave|invited|"
          r"received|discussed|considered|commended|praised|concluded|felt|believed|proposed|reminded|assured|referred|says|"
          r"looked|wished|accepted|admitted|conceded)")
# People report and ask; bodies only meet ("The Council received £12.8m" is a fact, "Cabinet considered" is a minute).
_MINUTES = re.compile(
    r"^(?:(?:councillor|cllr|mr|mrs|ms|miss|dr|professor)\.?\s+[A-Z][\w'\u2019-]+|"
    r"(?:the |a |an |one |another |all |several )?(?:vice[- ]chair(?:man)?|chair(?:man)?|cabinet members?|executive members?|"
    r"council members?|members?|leader|deputy leader|director|assistant director|corporate director|head of|chief executive|"
    r"monitoring officer|officers?|group leaders?|portfolio holder|mayor)\b)"
    r".{0,160}?\b" + _VERBS + r"\b|"
    r"^(?:the )?(?:committee|board|panel|meeting|cabinet|council)\s+(?:considered|discussed|noted|debated|resolved|invited|"
    r"received a (?:report|presentation|verbal))\b", re.IGNORECASE | re.DOTALL)
_MINUTES_OPENERS = re.compile(
    r"^(?:minutes:|resolved|agreed\b|agree\b|noted\b|notes the|approves?\b|agrees\b|delegates?\b|(?:\w+,\s+)?it was (?:also |further )?(?:noted?|agreed|shown|said|stated|"
    r"resolved|moved|confirmed|reported|explained|highlighted|clarified|stated|suggested|acknowledged|recognised|emphasised|raised|"
    r"discussed)|the report (?:covers|sets out|provides)\b|a report was|the report (?:highlighted|noted|set out|outlined|"
    r"provided|presented|also|explained|stated|summarised|detailed)|members (?:were|had been) (?:informed|advised|told|reminded)|"
    r"(?:council|cabinet|the committee|the board) considered|i\s|we were told|in response\b)", re.IGNORECASE)
# A decision list or resolution, its subject left in the heading above it: "That Cabinet approved ...",
# "That the comments ... be noted", "Adopted the Parking Strategy (Appendix B).", "He asked how ...".
_DECISION = re.compile(
    r"^(?:That\s|(?i:(?:adopted|approved|agreed|noted|endorsed|considered|resolved|delegated|commented|recommended)\s+"
    r"(?:the|a|an|to|that|on|\w+ing)\b|discussions? (?:centred|centered|focused|focussed|were held)\b|(?:he|she)\s+(?:\w+\s+){0,2}?" + _VERBS + r"\b|"
    r"(?:the )?(?:committee|cabinet|council|members|panel|board)\s+(?:was|were) (?:asked|invited|informed|advised|told|notified|"
    r"updated|reminded|assured)\b))|"
    r"(?i:\bto (?:agree|approve) (?:to )?the adoption of\b|\bpresented (?:the|a|his|her|their) (?:report|item|paper)\b)")
# "..., A Wilkie advised that ...": a named speaker anywhere in the sentence.
_NAMED_SPEAKER = re.compile(r"\b(?:[A-Z]\.?\s|(?:Councillor|Cllr|Mr|Mrs|Ms|Dr)\.?\s+)[A-Z][a-z]+\s+(?:also\s+|next\s+|then\s+|further\s+)?"
                            + _VERBS + r"\b")
_REPORTED_SPEECH = re.compile(r"\b(?:said|stated|explained|added|commented)\s*[:,]\s*[\"\u201c]", re.IGNORECASE)
_REPORT_FURNITURE = re.compile(
    r"^(?:to (?:approve|note|consider|receive|recommend|ensure|inform|agree|adopt|enable|update|endorse|confirm|delegate)\b|"
    r"reasons? for (?:the )?(?:recommendations?|decisions?)|members (?:of [\w ]{1,30})?are (?:asked|recommended|invited)|"
    r"notice of|note:|please note|you can|your (?:views|responses|comments)|for more information|click|read more|find out more|"
    r"(?:cabinet|council|the committee) is (?:asked|recommended)|for (?:the )?(?:committee|cabinet|council|members|board|panel) to)|"
    r"\b(?:is|are|was|were) (?:shown|set out|detailed|attached|included|summarised|provided) (?:in|at) (?:the following|the table|table|appendix|annex)|"
    r"\bin this (?:report|statement|paper)\b|\bthe following table\b|\bthis report (?:sets out|provides|presents|seeks|asks)\b|"
    r"\b(?:can be found|is now available|are now available) (?:below|above|here|on this page|in the documents)|\bon this page\b|"
    r"\battached (?:as|at) (?:an )?appendix|^venue:|"
    # "Cabinet agreed the fees ... as listed in Appendix C": the content is in an appendix the plan's
    # reader does not have; every such sentence of the labelled set is a resolution or report furniture.
    r"\b(?:as )?(?:set out|detailed|shown|attached|included|contained|listed|outlined) (?:in|at|as) (?:an? )?(?:appendix|appendices|annex|"
    r"paragraphs? \d)|"
    # "The final part of the report describes ...": what the report does, not what the council does.
    r"\b(?:half|part|section|rest|remainder) of (?:the|this) (?:report|paper)\b|"
    # A report's caveat on its own proposals ("The draft proposals are subject to <consultation, further analysis,
    # ...>"): the status of a document, not a fact a plan can use.
    r"^(?:the |these |all )?(?:(?:draft|budget|savings) ){0,2}(?:proposals|figures|estimates|projections|forecasts) "
    r"(?:are|is|remain|will be|may be|were) (?:still |all )?subject to\b|"
    r"\bthe (?:table|chart|graph|figure|diagram) (?:below|above)\b|"
    # "... assessed against the Prosperity Fund criteria (below) by officers": a pointer to text the plan does not show.
    r"\((?:see |as |listed |set out )?(?:below|above|overleaf)\)|\b(?:set out|listed|detailed|shown) below\b|"
    r"^further (?:details|information)\b|"
    r"\bequality act(?: 2010)?\b|\bequality impact (?:assessments?|analysis|screening)\b|\beqia\b|\bpublic sector equality duty\b|\bhave (?:due )?regard to\b|\bdeclarations? of interest",
    re.IGNORECASE)
# Openers that continue an argument begun in an earlier sentence.
_CONTINUATION = re.compile(
    r"^(?:however|again|also|in addition|additionally|furthermore|moreover|therefore|thus|hence|consequently|instead|"
    r"meanwhile|similarly|likewise|nevertheless|nonetheless|despite this|in turn|even so|even with|within this|to mitigate this|then|"
    r"as a result(?! of)|"
    r"during this|amongst other things|among other things|as in|doing so|but|and|or|so|otherwise|further(?:more)?|finally|"
    r"firstly|secondly|thirdly|lastly|in particular|as such|as well as this|on this basis|in doing so|for this reason|"
    r"the (?:above|latter|former|following|remaining|subsequent|same)\b)\b", re.IGNORECASE)
# "These include..." near the start points back; "those councils that ..." names its own referent.
_DEMONSTRATIVE = re.compile(r"^(?:\S+\s+){0,5}?(?:these|those|the above|aforementioned)\b(?!\s+\w+\s+(?:that|who|which|with)\b)",
                            re.IGNORECASE)
# "this strategy", "this expansion" early on: the referent is in the document, not the sentence.
_THIS = re.compile(r"^(?:\S+\s+){0,7}?this\b(?!\s+(?:year|month|week|quarter|financial year|time|summer|autumn|winter|spring)\b)",
                   re.IGNORECASE)
# "It is difficult to quantify..." opens on no referent: the "it" is the sentence's own.
_EXPLETIVE_IT = re.compile(r"^it(?:\s+is|\s+was|\s+will be|\s+would be|'s|\u2019s)\s+(?:not\s+)?(?:\w+\s+){0,2}?"
                           r"(?:to|that|how|whether|known|clear|unclear|expected|likely|important|difficult|essential|vital|possible)\b",
                           re.IGNORECASE)


def sentence_problem(sentence: str, needs_verb: bool = True) -> str | None:
    """Why this sentence could not stand alone in a plan (one of PROBLEMS), or None when it can.

    needs_verb=False leaves out the parser's test (grammar.has_main_verb): for a list item that a lead-in completes.
    """
    s = sentence.strip()
    words = s.split()
    if not 6 <= len(words) <= 70:
        return FRAGMENT
    if not (s[0].isupper() or s[0].isdigit() or s[0] == "\u00a3"):
        return FRAGMENT
    if not s.rstrip(_CLOSERS).endswith((".", "!")):
        return HEADING if len(words) <= 12 else FRAGMENT
    if s.rstrip(_CLOSERS).endswith(("...", "\u2026")):
        return FRAGMENT  # a web page's teaser, cut off: "... direction of travel has changed and..."
    if " | " in s or "\t" in s:
        return TABLE_ROW
    if _EMAIL_URL_PHONE.search(s):
        return CONTACT
    if _BOILERPLATE.match(s) or _REPORT_FURNITURE.search(s):
        return BOILERPLATE
    if _MINUTES.match(s) or _MINUTES_OPENERS.match(s) or _REPORTED_SPEECH.search(s) or _NAMED_SPEAKER.search(s) \
            or _DECISION.search(s):
        return MINUTES
    if _ROLE_SPEAKER.match(s) or _TO_THE_MEETING.search(s) or _MEETING_BUSINESS.search(s) or _MINUTE_OPENER.match(s) \
            or _FIRST_PERSON.search(s):
        return MINUTES
    if _DASH_CELLS.search(s) or _LABEL_AND_FIGURE.match(s) or _GLUED_CELL.search(s) or _semicolon_cells(s):
        return TABLE_ROW
    if _PAGE_MARK.search(s) or len(_LIST_DASH.findall(s)) >= 2 or _ACTION_ITEM.match(s) or _ABSOLUTE_OPENER.match(s):
        return FRAGMENT
    if _FORM_LABEL.match(s) or _GLUED_HEADING.match(s) or _HEADING_RUN.search(s) or _HEADLINE_LEDE.match(s) \
            or (_OBJECTIVE.match(s) and not _MAIN_CLAUSE.search(s)) or _FORM_PROMPT.search(s) \
            or (_ITEM_TITLE.match(s) and not _FINITE_HINT.search(s)):
        return FRAGMENT
    if _is_title(words):
        return HEADING
    letters = [c for c in s if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) / len(letters) > 0.4:
        return TABLE_ROW
    if s.count("(") != s.count(")") or s.count("\u201c") != s.count("\u201d"):
        return FRAGMENT
    if needs_verb and not has_main_verb(s):
        return FRAGMENT  # notes, not prose: "Failure to recruit ... resulting in ...", "Chat Assistant: A secure tool ..."
    return None


# Minutes in other shapes: a speaker named by role or by first and last name ("The Resourcing Manager added that
# ...", "Jane Smith advised that ..."), what was said to the meeting ("... informed the Committee that ..."), the
# meeting's own business, the participles a minute-taker opens with, and a member's own words ("I have listened
# ..."): none is the council stating its plan. Speech verbs only count with what follows speech ("added that"),
# so "The Digital Team added 40 online forms" is still a fact.
_ROLE_SPEAKER = re.compile(
    r"^(?:The\s+)?(?:(?!(?:Council|County|Borough|City|Government|Authority|We|Our|It|This|These)\b)(?:[A-Z]|[a-z]+[A-Z])[\w'\u2019&-]*\s+"
    r"(?:(?:of|for|and|&)\s+)?){1,6}(?:also\s+|further\s+|then\s+|next\s+)?"
    r"(?:added|advised|informed|assured|responded|replied|pointed out|clarified|remarked|commented|explained|says)"
    r"(?:\s+(?:that|he|she|they)\b|\s*,|\s+the\s+(?:committee|members?|panel|board|meeting|cabinet)\b|\s+to\b)")
_TO_THE_MEETING = re.compile(r"\b(?:informed|assured|advised|told|reminded|updated|thanked)\s+(?:the\s+)?"
                            r"(?:committee|members|panel|board|meeting|cabinet)\b", re.IGNORECASE)
_MEETING_BUSINESS = re.compile(r"\battention was drawn to\b|\bin attendance\b|\bwould be taken (?:first|next|as read)\b|"
                               r"\b(?:members|the committee|the panel|the board) (?:was|were) (?:asked|invited|informed|advised|told|reminded)\b|"
                               r"\bshared their (?:congratulations|thanks|condolences)\b|\bannounced the (?:passing|death)\b|"
                               # the meeting's running order: "... announced a late swap between two items on the agenda."
                               r"\bitems? (?:on|of) the agenda\b|"
                               # a report's cover line: "Councillor X, Cabinet Member for Finance, will report at the meeting."
                               r"\bwill (?:report|attend|be present|speak) (?:at|to) (?:the|this) meeting\b", re.IGNORECASE)
_MINUTE_OPENER = re.compile(r"^(?:added further|concluding|responding|in referencing|in summing up|summing up|in closing)\b|"
                            r"^following (?:the|his|her|their) (?:introduction|presentation|update),?\s+(?:councillor|cllr|the chair|"
                            r"members?|mr|mrs|ms|dr)\b", re.IGNORECASE)
_FIRST_PERSON = re.compile(r"(?:^|[\s,;])I (?:have|had|am|was|would|will|think|believe|feel|hope|want|asked|listened|attended|"
                           r"understand|note|welcome)\b")
# A line of a form or a heading run into its first sentence: "Purpose: ...", "Introduction Traditionally, ...",
# "... Finance Settlement The Council is ...", a web page's headline before its opening sentence (the first three
# words said again), and an objective on a list ("To embed ... in all our services.") with no main clause.
_FORM_LABEL = re.compile(r"^(?:content|purpose|summary|background|context|aims?|objectives?|subject|title|description|"
                         r"overview|outcomes?|decision|issues?)\s*:\s", re.IGNORECASE)
_GLUED_HEADING = re.compile(r"^(?:Introduction|Background|Summary|Purpose|Context|Overview|Conclusions?)\s+[A-Z][a-z]|"
                            r"^(?i:key |main )?(?i:recommendations?|findings?|conclusions?|next steps|actions?)\s*[-\u2013:]\s+[A-Z]")
_HEADING_RUN = re.compile(r"\S\s+(?:[A-Z][\w&/'-]*|\d{4}(?:[/-]\d{2,4})?)\s+(?:The|This|Our)\s+(?:[A-Z][a-z]+\s+){0,2}"
                          r"(?:is|are|was|were|has|have|will|seeks|sets|provides|aims)\b")
_HEADLINE_LEDE = re.compile(r"^(\w+ \w+ \w+)\b.{10,}?[a-z0-9] \1\b")
_OBJECTIVE = re.compile(r"^To\s+[a-z]+\b")
# A form's own prompt to whoever fills it in ("Briefly describe the project; please include your aims ...").
_FORM_PROMPT = re.compile(r"^briefly (?:describe|explain|outline)\b|\bplease (?:include|describe|provide|give|state|explain|outline|list)\b",
                          re.IGNORECASE)
_TITLE_SMALL_WORDS = frozenset("a an and as at by for from in into of on or the to with & -".split())


# An agenda item's title ending in a full stop: "An update on progress against the Housing Programme.", "The annual
# report to show results against the Service Standards for 2019-20." Only without a verb of its own ("A report on the budget was
# presented to Cabinet." is a fact).
_ITEM_TITLE = re.compile(r"^(?:an?|the)\s+(?:\w+\s+)?(?:update|report|summary|overview|briefing|presentation|review)\s+"
                         r"(?:on|of|to show|regarding|about|setting out|for)\b", re.IGNORECASE)
_FINITE_HINT = re.compile(r"(?<!to )\b(?:am|is|are|was|were|be|been|has|have|had|will|would|can|could|shall|should|may|might|must|"
                          r"do|does|did|shows?|sets?|gives?|provides?|includes?|remains?|\w{3,}ed)\b", re.IGNORECASE)


def _is_title(words: list[str]) -> bool:
    """A heading in title case ("Future Delivery of Libraries, Museums and Community Learning Services."): every
    word but the small ones capitalised. A sentence has lower-case verbs and nouns somewhere."""
    content = [w.strip(".,;:()\"'\u2018\u2019\u201c\u201d") for w in words]
    content = [w for w in content if w and w.lower() not in _TITLE_SMALL_WORDS]
    return len(content) >= 4 and all(w[0].isupper() or w[0].isdigit() or not w[0].isalpha() for w in content)
_MAIN_CLAUSE = re.compile(r",\s+(?:we|the|our|it|they|this|these|[A-Z][\w'-]*)\s+\w+")


def without_form_label(sentence: str) -> str | None:
    """The sentence after a form's label ("Purpose: The borough faces ..." -> "The borough faces ..."); None without one."""
    m = _FORM_LABEL.match(sentence)
    if not m:
        return None
    rest = sentence[m.end():].lstrip()
    return rest[:1].upper() + rest[1:] if rest else None


# Empty cells of a table row: "... -621.0 - - - - 621.0 ...".
_DASH_CELLS = re.compile(r"(?:\s[-\u2013]){3,}\s")
# Cells of a borderless table read as prose (PDFs whose tables have no ruling lines): a row label then its
# figure ("Efficiency Savings £3.5m savings aimed at ...", "Transformation - £39.3m ..."), or one cell's text
# run into the next cell's capitalised opening ("... Scope for Improvement - High The council has ...", "Service Other
# estimated spending ...", "Partially Complete All tendering ...").
_LABEL_AND_FIGURE = re.compile(r"^(?!(?:The|A|An|This|That|These|Those|Our|Its|Their|Over|Around|About|Nearly|Almost|Only|Some|"
                               r"Each|Every|Total|Up|In|Of|By|With|For|From|Since|Until|After|Before|Another|Further)\b)"
                               r"(?:[A-Z][\w/&'-]*\s+){1,3}(?:[-\u2013]\s+)?-?£\d")
_GLUED_CELL = re.compile(r"[a-z0-9] (?:The|This|These|Our|We|It|All|Other|Additional) (?!(?:Council|County|Borough|City)\b)[a-z0-9]")
# A page's running footer glued into a sentence at a page break.
_PAGE_MARK = re.compile(r"\bpage \d+ of \d+\b", re.IGNORECASE)
# List items run together: "... : - collect recycling - clean streets - maintain parks".
_LIST_DASH = re.compile(r"(?:^|\s)-\s+(?=[a-zA-Z])")
_BARE_FIGURE = re.compile(r"^[\s(£$€-]*\d[\d,.]*\s*(?:%|m|k|bn)?\)?\.?$", re.IGNORECASE)


def _semicolon_cells(s: str) -> bool:
    """A table passage's row, as its loader writes it ("Service; Directorate; Lead; 70.7; 50.9; 61.9") and as a model
    copying it reproduces it: four or more ";"-separated cells, two of them bare figures. A sentence listing
    clauses with semicolons keeps its figures inside words."""
    cells = [c.strip() for c in s.split(";")]
    return len(cells) >= 4 and sum(bool(_BARE_FIGURE.match(c)) for c in cells) >= 2


# "These being folded into a single agreement ...": an absolute phrase with no main clause, or one leaning on the
# sentence before it for "these"; either way not a sentence of the plan.
_ABSOLUTE_OPENER = re.compile(r"^(?:these|this|those|they|it)\s+being\b", re.IGNORECASE)
# An action-plan bullet with no subject ("Evaluate the impact on ...", "Consider the strategic contributions ..."):
# a task on a list, not a statement of what the council does or did.
_ACTION_ITEM = re.compile(
    r"^(?:consider|evaluate|ensure|explore|sharpen|establish|refresh|identify|undertake|embed|strengthen|review|assess|"
    r"develop|deliver|implement|introduce|maintain|promote)\s+(?:the|a|an|all|our|your|its|their|how|whether|and|up)\b",
    re.IGNORECASE)


# A sentence opening with one of these leans on the one before it ("It delivered £1.9m...").
_ANAPHORA = re.compile(r"^(?:this|it|its|they|their|these|those|such|he|she|the same|both)\b(?!\s+(?:year|month|week|quarter|financial year)\b)",
                       re.IGNORECASE)


_BACK_REFERENCE = re.compile(r"\b(?:this|these|those)\s+(?!(?:year|month|week|quarter|financial year|time)\b)[a-z]", re.IGNORECASE)


# "It was created to address ...", "It is expected to save £2m": a participle and a purpose, so "it" is a thing named
# before (Trafford's "It was <participle> to <purpose>" sentence had lost the programme it described).
# A decision is still the sentence's own: "It was agreed to defer the item".
_PARTICIPLE_TO = re.compile(r"^it(?:\s+is|\s+was|\s+will be|\s+would be|'s|\u2019s)\s+(?:not\s+)?(?:being\s+)?"
                            r"(?!(?:agreed|decided|resolved|proposed|recommended|requested)\b)(?:\w+ed|made|built|set up|run|used)\s+to\b",
                            re.IGNORECASE)


# "As a top-level planning statement, it steers ...": the phrase describes the "it", which only a sentence
# before named. ("As a result of ..., it was agreed that ..." opens on a cause, and its "it" is its own.)
_AS_DESCRIPTION = re.compile(r"^as an?\s+(?!(?:result|consequence|whole|rule|minimum|matter|part|means)\b)[^,]{3,80},\s+(?=(?:it|they)\b)",
                             re.IGNORECASE)


# "Whilst a full review will go to ..., this note shows ...", "As a result of ..., these services will ...": after an
# opening subordinate clause, the main clause's "this/these <noun>" points back as surely as at the start of a sentence.
_CLAUSE_THEN_THIS = re.compile(r"^(?:whilst|while|although|though|because|since|as|if|when|once|until|before|after|following|"
                               r"having|with|given|in (?:line|addition) (?:with|to))\b[^,;]{3,160},\s+(?:this|these|those)\s+"
                               r"(?!(?:year|month|week|quarter|financial year|time|years|months|weeks)\b)[a-z]", re.IGNORECASE)


# "The plan therefore looks ahead only to 2028.": the reason is in the sentence before.
_INNER_CONSEQUENCE = re.compile(r"^(?:\S+\s+){1,4}?(?:therefore|thus|hence|consequently)\b", re.IGNORECASE)


# "We took every step we could to prevent this from recurring": a "this" standing for something, inside the sentence's
# first clause, points back as an opening one does. After a clause boundary it is usually the sentence's own earlier
# clause ("... the gap will be funded from reserves, and this is therefore ...", labelled draftable). "... would align
# with this Council Plan" points at the document it came from, wherever it stands.
_INNER_THIS = re.compile(r"\sthis(?:(?=\s+(?:from|is|was|will|would|has|had|can|could|may|might|means|meant|and|but|or)\b|[.,;:])"
                         r"|\s+(?:strategy|policy)\b)", re.IGNORECASE)
_THIS_DOCUMENT = re.compile(r"\sthis\s+(?:council\s+plan|plan|document|paper)\b", re.IGNORECASE)
_CLAUSE_BOUNDARY = re.compile(r"[,;:(]|\b(?:and|but|or|so|which|while|whilst)\b", re.IGNORECASE)


def _points_back_inside(s: str) -> bool:
    if _THIS_DOCUMENT.search(s):
        return True
    inner = _INNER_THIS.search(s)
    return bool(inner) and not _CLAUSE_BOUNDARY.search(s[:inner.start()])


def leans_on_previous(sentence: str) -> bool:
    """Whether the sentence opens on a reference to text before it ("This was lower than forecast...",
    "However, ...") or points back at something named earlier ("these challenges")."""
    s = sentence.strip()
    if (described := _AS_DESCRIPTION.match(s)) and not _own_it(s[described.end():]):
        return True
    if _own_it(s):
        # "It is clear that ... to achieve this vision.": the "it" is the sentence's own, "this vision" is not.
        return bool(_BACK_REFERENCE.search(s))
    return bool(_ANAPHORA.match(s) or _CONTINUATION.match(s) or _DEMONSTRATIVE.match(s) or _THIS.match(s)
                or _CLAUSE_THEN_THIS.match(s) or _INNER_CONSEQUENCE.match(s) or _points_back_inside(s))


def _own_it(s: str) -> bool:
    return bool(_EXPLETIVE_IT.match(s)) and not _PARTICIPLE_TO.match(s)


def standalone_problem(sentence: str) -> str | None:
    """Why the sentence could not stand alone in a plan, a dangling opener included."""
    return sentence_problem(sentence) or (DANGLING if leans_on_previous(sentence) else None)


def is_draftable(sentence: str) -> bool:
    """A whole sentence of prose an officer could keep: not a fragment, table row, heading or minute boilerplate."""
    return sentence_problem(sentence) is None


def normalise(text: str) -> str:
    """For comparing sentences: lower case, single spaces, no citation markers."""
    return " ".join(CITATION_MARKS.sub("", text).lower().split())


def ends_a_sentence(text: str) -> bool:
    """Whether text closes as a sentence does (".", "!" or "?"), citation markers and closing quotes aside.

    An ellipsis is not an ending: it marks text cut off ("... has changed and...").
    """
    s = CITATION_MARKS.sub("", text).rstrip().rstrip(_CLOSERS)
    return s.endswith((".", "!", "?")) and not s.endswith(("...", "\u2026"))
