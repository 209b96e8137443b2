"""The sentence filter's rules on the kinds of text real council documents hold (invented examples, no council's words)."""

from __future__ import annotations

import pytest

from assistant.sentences import BOILERPLATE, FRAGMENT, HEADING, MINUTES, TABLE_ROW, ends_a_sentence, sentence_problem


@pytest.mark.parametrize("text, problem", [
    # A resolution or decision list, its subject left in the heading above it.
    ("That the report of the Director of Finance on the budget be noted.", MINUTES),
    ("That the Panel approved a contract length of eight years for the new service.", MINUTES),
    ("Adopted the Customer Strategy as set out in the report.", MINUTES),
    ("He asked whether the savings in the plan were realistic.", MINUTES),
    ("It was also noted that each service would publish its own plan.", MINUTES),
    ("The Committee were asked to note the progress made on the programme.", MINUTES),
    ("The Cabinet Member for Finance to approve the adoption of the Digital Strategy.", MINUTES),
    # Table cells run together, a page footer glued in at a page break, list items run together, a task list.
    ("Review of the parks contract with savings of -120.0 - - - - 120.0 planned in year two.", TABLE_ROW),
    ("Figures are rounded, so some columns may seem not Page 9 of 52 to sum exactly.", FRAGMENT),
    ("The new plan will: - improve the roads - build more homes - support local businesses.", FRAGMENT),
    ("Evaluate the effect of the new rota on staff wellbeing and sickness absence.", FRAGMENT),
    # Cells of a borderless table read as prose: a row label and its figure, one cell run into the next.
    ("Leaner Processes £2.7m reductions from doing the same work for less money in every service.", TABLE_ROW),
    ("Redesign - £8.4m reductions intended to prevent later demand growth in children's services.", TABLE_ROW),
    ("Scope for Improvement - High The council has planned savings in every year since 2012.", TABLE_ROW),
    ("Rating - Medium The 2021-22 position was the only deficit in a decade.", TABLE_ROW),
    ("Service Other expected cost pressures from meeting corporate goals and raising standards.", TABLE_ROW),
    ("Pay Additional net cost of the proposed pay award and the new pay structure.", TABLE_ROW),
    ("Considered adding indicators on the performance of suppliers and staff satisfaction.", MINUTES),
    ("The Panel were notified of the work on recruitment and retention across the Council.", MINUTES),
    ("The Finance Manager presented the report to the Committee and answered questions.", MINUTES),
    ("The table below shows the online transactions completed for each service area.", BOILERPLATE),
    ("Further details on the disposals pipeline sit in the Estates Plan in Annex D.", BOILERPLATE),
    # The meeting's running order; an absolute phrase with no main clause of its own.
    ("The Chairman announced a late swap between two items on the agenda for the evening.", MINUTES),
    ("These being transferred into a new agreement covering the annual service level document.", FRAGMENT),
    # A table passage's row as its loader writes it, or as a model copies it.
    ("Street Lighting; Highways and Transport; LED conversion programme savings; 70.7; 50.9; 61.9.", TABLE_ROW),
    # A report's caveat on its own proposals.
    ("The draft budget proposals are subject to consultation, further analysis of reserves and changes in specific grants.", BOILERPLATE),
    # Its content left in an appendix the plan's reader does not have.
    ("The Cabinet approved the Asset Strategy 2024 to 2029 as set out in Appendix B to the report.", BOILERPLATE),
    ("Approves the revenue savings and growth proposals as detailed in Appendix C.", BOILERPLATE),
    ("Consider the strategic contributions and future deliverables of the programme.", FRAGMENT),
    # Speakers named by role or by name, what was said to the meeting, the meeting's own business, a member's own words.
    ("The Workforce Planning Manager added that market supplements were now paid to planners.", MINUTES),
    ("Interim Head of People and Culture responded that flexible working was open to all staff.", MINUTES),
    ("Jane Smith advised that every late case would be reviewed by a senior officer.", MINUTES),
    ("The review gave scope for up to £40m but informed the Committee that £25m was committed.", MINUTES),
    ("Members' attention was drawn to the spending on locum lawyers in the legal service.", MINUTES),
    ("Councillors Brown and Green were in attendance for the item on the leisure contract.", MINUTES),
    ("Councillor B Patel, Cabinet Member for Parks and Libraries, will report at the meeting.", MINUTES),
    ("Concluding, the Leader thanked residents for taking part in the budget consultation.", MINUTES),
    ("At recent meetings I have heard concerns about the cost of agency social workers.", MINUTES),
    # What officers conceded to a committee is their view in a minute (Havering, session 16).
    ("Officers accepted that the line between green and amber risk scores was somewhat arbitrary.", MINUTES),
    # A form's label, a heading run into the sentence after it, a headline before its opening, a listed objective.
    ("Purpose: the borough faces rising demand for temporary accommodation this winter.", FRAGMENT),
    ("Introduction Traditionally, councils could use capital receipts only for new assets.", FRAGMENT),
    ("Key recommendations - Revisit your 2035 vision, making it a clearer account of local ambition.", FRAGMENT),
    ("Northshire Pay Policy Statement 2025/2026 The Council seeks to recruit and retain staff fairly.", FRAGMENT),
    ("Northshire Borough Council must save £3m as budget talks begin Northshire Borough Council has said it must save £3m.", FRAGMENT),
    ("To embed fair employment practices in all our recruitment and service delivery.", FRAGMENT),
    ("An update on progress against the Housing Improvement Programme for the quarter.", FRAGMENT),
    ("The annual report to show results against the Service Standards for 2019-20.", FRAGMENT),
    # A heading in title case with a full stop, and a form's prompt to whoever fills it in.
    ("Future Delivery of Libraries, Museums and Community Learning Services.", HEADING),
    ("Briefly describe the project and please include your aims and objectives for the year ahead.", FRAGMENT),
    ("K Osei next looked at the Carbon Plan, setting out its targets for the fleet.", MINUTES),
    ("Lastly, it was noted that every team would hold a review of its budget in May.", MINUTES),
    # A web page's teaser, cut off where the page links to the rest.
    ("Southdale is more prosperous than its neighbours yet in the past three years the trend has reversed and...", FRAGMENT),
    ("The council will consult residents on three options for the future of the leisure centre\u2026", FRAGMENT),
    ("Targets might have to be revised later, and members were asked to read the two plans side by side.", MINUTES),
    # What the report does, and content left to a numbered paragraph of it (session 15).
    ("The final part of the report describes a suggested route to refreshing the 2026/27 Council Plan.", BOILERPLATE),
    ("Cabinet agreed the service measures set out in paragraph 5.2 for 2025/26.", BOILERPLATE),
    # A pointer to text the plan does not show (session 16: North Herts' grants criteria "(below)").
    ("Applications are assessed against the Prosperity Fund criteria (below) by officers.", BOILERPLATE),
    ("The savings proposals for each directorate are set out below and total £4.2m.", BOILERPLATE),
])
def test_report_furniture_is_not_a_sentence_of_the_plan(text, problem):
    assert sentence_problem(text) == problem


@pytest.mark.parametrize("text", [
    "The Council restructured its senior management team in 2023, saving £1.2 million a year.",
    # Dashes used as parentheses, a year span, a gerund that is the sentence's subject.
    "Moving services online became a necessity – and technology helped – but it showed who was left behind.",
    "The MTFS covers the five years 2025-30 and assumes council tax rises each year.",
    "Using social media for recruitment has shortened the time it takes to fill a post.",
    "Thatcham and Reading councils share a building control service.",
    "The £35m capital budget for the project was reduced to £20m in February 2023.",
    "In 2023 the Council saved £2.4m by bringing its leisure centres back in house.",
    # Near misses of the minutes and heading rules: a speech verb used for a fact, an infinitive with its main
    # clause, an introduction of something (not of a speaker), a council that says what it will do.
    "The Digital Team added 40 new online forms to the website in 2023.",
    "To balance the budget, the council will use £7.5m of savings and £15m of reserves.",
    "Following the introduction of online booking, missed appointments fell by a fifth.",
    "The Council explained its savings to residents at six public meetings.",
    "The council will report to the committee in March on progress against the plan.",
    "A report on the budget was presented to Cabinet in March with savings of £2m.",
    "Introduction of online booking cut missed appointments by a fifth in 2023.",
    "Recommendations from the peer review have all been put in place since 2022.",
    "The annual review of performance shows a rise in resident satisfaction since 2021.",
    "All services set targets, and Other Services reported a saving of £0.2m in 2023.",
    "North Herts and East Herts Councils share a Waste and Street Cleansing contract.",
    # An appendix named without pointing the reader at it for the content.
    "The savings set out in the budget total £4.4m, with the details published online.",
    "The proposals will save £2m a year, subject to consultation with staff.",
    "The settlement was £2.5m; the rural grant rose to £945,000; the social care grant rose to £1.8m; reserves are £12m.",
])
def test_plain_statements_pass(text):
    assert sentence_problem(text) is None


def test_an_opening_it_of_its_own_still_leans_when_the_sentence_points_back():
    from assistant.sentences import leans_on_previous

    assert not leans_on_previous("It is important that residents can reach services online.")
    assert not leans_on_previous("It is expected that savings this year will reach the target.")
    assert leans_on_previous("It is clear that the borough needs help from its neighbours to reach this goal.")


@pytest.mark.parametrize(("text", "leans"), [
    # A participle and a purpose: "it" is the programme or scheme named before.
    ("It was designed to tackle a problem shared by every district council.", True),
    ("It is expected to save £2m a year from 2025.", True),
    ("It was set up to share back-office services with two districts.", True),
    ("It is used to answer routine enquiries out of hours.", True),
    # The sentence's own "it": a decision, a judgement or a that-clause.
    ("It was agreed to defer the item to the next meeting.", False),
    ("It was decided to bring the savings forward a year.", False),
    ("It is difficult to forecast demand for temporary accommodation.", False),
    ("It is expected that savings will reach the target.", False),
    # A description of the "it" before it: the thing described was named in an earlier sentence.
    ("As a top-level planning statement, it steers how the borough spends its money.", True),
    ("As a unitary authority, it is important that we plan ahead.", False),
    ("As a result of the pandemic, it was agreed that the plan be refreshed.", False),
    ("As a council, we will share more services with our neighbours.", False),
])
def test_an_opening_it_with_a_participle_and_a_purpose_leans_on_what_came_before(text, leans):
    """Trafford's sentence on why its programme was set up ("It was <participle> to <purpose> ...") was taken for an
    "it" of its own ("It is difficult to ...") and drafted without the programme it describes."""
    from assistant.sentences import leans_on_previous

    assert leans_on_previous(text) is leans


def test_an_exclamation_mark_inside_a_title_does_not_end_the_sentence():
    from assistant.sentences import split_sentences

    assert split_sentences("The council launched the Let's Go Green! Strategy in May 2022. It runs to 2032.") == [
        "The council launched the Let's Go Green! Strategy in May 2022.", "It runs to 2032."]
    assert split_sentences("We did it! The council saved £2m. Well Done! Staff worked hard.") == [
        "We did it!", "The council saved £2m.", "Well Done!", "Staff worked hard."]
    # At the start of a sentence too (a web page's "The <Title>! Strategy sets out ...").
    assert split_sentences("The Let's Go Green! Strategy names three priorities for the coming decade.") == [
        "The Let's Go Green! Strategy names three priorities for the coming decade."]


def test_an_abbreviation_without_a_space_before_it_does_not_end_the_sentence():
    """"the Town Hall,St. Owen Street, Hereford ..." was cut at "St." and its second half drafted as a sentence."""
    from assistant.sentences import split_sentences

    assert split_sentences("The council will sell the Town Hall,St. Owen Street, on the open market. It is empty.") == [
        "The council will sell the Town Hall,St. Owen Street, on the open market.", "It is empty."]


@pytest.mark.parametrize(("text", "leans"), [
    # After an opening subordinate clause, the main clause's "this <noun>" points back as at a sentence's start.
    ("Whilst a full review will go to the Executive after the year closes, this note shows where effort has "
     "been focused.", True),
    ("Although savings were delivered in full, this approach cannot be repeated next year.", True),
    ("Following the peer challenge in 2023, this programme has moved services online.", True),
    # ... and so do "these" and "those"
    ("As a result of rising demand, these services will take a growing share of the council's budget.", True),
    ("Since the contract was let, those savings have been delivered every year.", True),
    # A time, or no "this" after the clause: the sentence stands alone.
    ("Whilst a full review will go to the Executive, this year the council cut £2m from its running costs.", False),
    ("Although demand rose, the council kept spending within its budget for 2023/24.", False),
])
def test_this_after_an_opening_clause_leans_on_what_came_before(text, leans):
    """Bury's sentence opening on a clause about a later report, then "this summary ...", was drafted on its own:
    the summary is the report it came from, which the plan's reader does not have."""
    from assistant.sentences import leans_on_previous

    assert leans_on_previous(text) is leans


@pytest.mark.parametrize(("text", "leans"), [
    ("The plan therefore looks ahead only to 2028.", True),
    ("The council is therefore able to set a balanced budget for 2024/25.", True),
    ("The council set a balanced budget for 2024/25 without using reserves.", False),
])
def test_a_consequence_inside_the_sentence_leans_on_its_reason(text, leans):
    from assistant.sentences import leans_on_previous

    assert leans_on_previous(text) is leans


@pytest.mark.parametrize(("text", "leans"), [
    # A "this" standing for something said before, inside the first clause; and the document the sentence came from.
    ("We took every step we could to prevent this from recurring and benchmarking shows our costs are low.", True),
    ("The training plan will help with this and make sure managers have the right skills.", True),
    ("Expected income in the three year budget forecast assumed that this would be about 4% in 2026-27.", True),
    ("The Housing Plan and the Capital Strategy will both line up with this Council Plan.", True),
    # After a clause boundary "this" is the sentence's own earlier clause (labelled draftable in the real set).
    ("Borrowing is just a short-term way to pay, and this is therefore repaid over time from other income.", False),
    ("The council follows the DfT calculator for bus passes and this has presented a £3m pressure.", False),
    ("The council will report progress against this year's savings of £2m.", False),
])
def test_a_this_inside_the_first_clause_points_back(text, leans):
    """Havering's sentence on all it had done to stop "this" happening and North Herts' one ending "... with this
    Council Plan" were drafted on their own (session 16)."""
    from assistant.sentences import leans_on_previous

    assert leans_on_previous(text) is leans


def test_a_sentence_ends_on_its_stop_whatever_follows_it():
    """Verification and the junk eval ask the same question of a drafted sentence: does it end?"""
    for ended in ("Savings were £2m.", "Savings were £2m [3].", "Savings were \u201c£2m.\u201d [3, 4]", "Were savings made?",
                  "We saved £2m (see the budget report)."):
        assert ends_a_sentence(ended), ended
    for open_ended in ("Savings were £2m against a target", "Savings were £2m and...", "Savings were £2m\u2026 [3]",
                       "Savings were £2m:", "Savings [3]"):
        assert not ends_a_sentence(open_ended), open_ended
