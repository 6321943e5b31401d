"""Words for the benchmark's data: names, places, titles and a few Markdown bodies.

Bodies are rendered once with app.content.render_markdown and reused, so the generator never
renders Markdown per row but every row still carries realistic, sanitised HTML.
"""

from functools import cache

from app.content import render_markdown

FIRST_NAMES = [
    "Amara",
    "Rhys",
    "Priya",
    "Tom",
    "Jo",
    "Sam",
    "Aisha",
    "Owen",
    "Megan",
    "Callum",
    "Niamh",
    "Dev",
    "Fatima",
    "Gareth",
    "Hannah",
    "Imran",
    "Kirsty",
    "Leon",
    "Maya",
    "Noah",
    "Olu",
    "Rosa",
    "Sean",
    "Tariq",
    "Una",
    "Vikram",
    "Wendy",
    "Yusuf",
    "Zoe",
    "Ellis",
]
LAST_NAMES = [
    "Okafor",
    "Evans",
    "Shah",
    "Brennan",
    "Walsh",
    "Patel",
    "Hughes",
    "Morgan",
    "Campbell",
    "Kaur",
    "Ahmed",
    "Lewis",
    "Reid",
    "Byrne",
    "Davies",
    "Khan",
    "Murray",
    "Owusu",
    "Price",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Williams",
]
PLACES = [
    "Northtown",
    "Rhondda",
    "Barrow",
    "Hartlepool",
    "Dundee",
    "Bradford",
    "Stoke",
    "Blackpool",
    "Wrexham",
    "Derry",
    "Hull",
    "Grimsby",
    "Oldham",
    "Merthyr",
    "Kirkcaldy",
    "Thanet",
    "Burnley",
    "Clacton",
    "Wakefield",
    "Sunderland",
]
ORGANISATIONS = (
    "Borough Council",
    "Community Trust",
    "Housing Association",
    "Further Education College",
    "Primary Care Network",
    "Voluntary Action",
    "Combined Authority",
    "Arts Centre",
)
SERIES = (
    ("Levelling Up", ("Holistic approach", "Root causes", "Sharing power", "Using data")),
    ("Healthy High Streets", ("Empty shops", "Night-time economy", "Markets")),
    ("Skills for Places", ("Adult learning", "Young people", "Employers")),
    ("Community Wealth", ("Anchor institutions", "Local procurement", "Co-operatives")),
)
TOPICS = (
    "pooled budgets",
    "resident panels",
    "local data",
    "health and skills together",
    "devolved power",
    "youth voice",
    "anchor institutions",
    "empty shops",
    "community ownership",
    "measuring wellbeing",
    "participatory budgeting",
    "the root causes of injustice",
)
QUESTION_TITLES = (
    "Who has made {topic} work in a place like {place}?",
    "How do we keep {topic} going after the funding ends?",
    "What would you measure to show {topic} is working in {place}?",
    "Should we start with {topic} or with the people it affects?",
    "How did {place} get councillors on board with {topic}?",
)
DISCUSSION_TITLES = (
    "Notes from {place} on {topic}",
    "What we learned about {topic} this year",
    "Reflections on {topic} after the meeting",
)
THREAD_BODIES = (
    "Our community hub sees the same families for food, for debt advice and for adult "
    "learning, but each service is funded and measured separately. Has anyone found a way to "
    "**pool budgets** locally without losing track of what each funder needs to see?",
    "We tried this in two wards last year:\n\n- a monthly residents' panel\n- a shared "
    "action log\n- a small grants pot decided in public\n\nThe panel worked; the log did "
    "not. *Why* do you think that was?",
    "Local data is patchy and the averages hide the full story of a place. I would like to "
    "hear how others combine the official figures with what residents tell them, see "
    "https://example.org/report for what we published.",
    "",
)
REPLY_BODIES = (
    "We got close in the valley: the college and the GP surgery shared one outreach worker. "
    "The money stayed in two pots, but the job description was written together.",
    "Did the two pots report the same outcomes, or two sets?",
    "Two sets at first. In the second year we agreed **three shared measures** and reported "
    "those to both funders.",
    "+1 to this. Happy to share our template if it helps.",
    "It took us eighteen months, and the thing that made the difference was a named person "
    "in each organisation who could say yes without going back to a committee.",
    "> metrics can hide the full story\n\nExactly. We now publish a short story beside every "
    "number.",
)
ACTION_TITLES = (
    "Share the {place} pooled-budget template",
    "Write up what {place} learned about {topic}",
    "Set up a call on {topic} with three councils",
    "Draft shared measures for {topic}",
    "Invite residents from {place} to the next meeting",
)
ACTION_DETAIL = (
    "Collect what worked and what did not, and post it on the board before the next meeting."
)
UPDATE_TEXT = "Spoke to two councils this week; a first draft is in the shared folder."
MEETING_DESCRIPTION = (
    "How to address education, skills, health and wellbeing **together** in a place, rather "
    "than as separate visions. Bring one example from your own work."
)


@cache
def rendered(text: str) -> str:
    """text rendered once by the app's own Markdown pipeline (cached for every later row)."""
    return render_markdown(text)
