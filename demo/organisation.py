"""Harrowdale Council: the fictional organisation, its Council Plan and its people (names only).

Plain data, no Django. Every place, person and council here is invented. Town names used in titles
(Harrowdale, Kettlemere, Eastfield, Westbrook, Holme Lane ...) are made up for the demo.
"""

from __future__ import annotations

from dataclasses import dataclass

# --------------------------------------------------------------------------------------------------
# Directorates and services
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectorateDef:
    key: str
    code: str
    name: str
    director_title: str
    source: str  # the directorate's main data system (B2 data source)


DIRECTORATES: tuple[DirectorateDef, ...] = (
    DirectorateDef("ah", "HAR-AH", "Adults and Health", "Executive Director of Adults and Health",
                   "Adult social care case management system"),
    DirectorateDef("cf", "HAR-CF", "Children and Families", "Executive Director of Children and Families",
                   "Children's social care case management system"),
    DirectorateDef("pe", "HAR-PE", "Place and Environment", "Executive Director of Place and Environment",
                   "Place services operational systems"),
    DirectorateDef("ch", "HAR-CH", "Communities and Housing", "Executive Director of Communities and Housing",
                   "Housing and communities case management system"),
    DirectorateDef("rs", "HAR-RES", "Resources", "Executive Director of Resources",
                   "Corporate finance and HR system"),
)


@dataclass(frozen=True)
class ServiceDef:
    key: str
    directorate: str
    name: str
    prefix: str  # indicator and action reference prefix
    outcome: str  # the Council Plan outcome the service mainly serves
    teams: tuple[str, str]
    objectives: tuple[str, str, str]  # service plan items
    actions: tuple[str, str, str, str, str]


S = ServiceDef

SERVICES: tuple[ServiceDef, ...] = (
    # ---- Adults and Health
    S("asc", "ah", "Adult Social Care Assessment and Care Management", "ASC", "P3.O1",
      ("Community Assessment Team", "Hospital Social Work Team"),
      ("Reduce waiting times for Care Act assessments",
       "Embed strengths-based practice in every assessment",
       "Review every long-term package of care at least once a year"),
      ("Clear the backlog of Care Act assessments waiting more than 28 days",
       "Roll out strengths-based conversation training to all practitioners",
       "Introduce a trusted assessor model with Harrowdale General Hospital",
       "Implement the new adult social care case management system",
       "Launch the online financial assessment and self-assessment tool")),
    S("reablement", "ah", "Reablement and Home Care", "REA", "P3.O2",
      ("Reablement Team", "Home Care Brokerage"),
      ("Increase the number of people regaining independence through reablement",
       "Secure enough home care capacity in rural areas",
       "Deliver the Home First discharge model with the NHS"),
      ("Recruit 20 additional reablement support workers",
       "Commission a rural home care framework for the north of the borough",
       "Extend reablement hours to 10pm seven days a week",
       "Introduce electronic call monitoring for all home care providers",
       "Evaluate the discharge-to-assess pilot and agree the permanent model")),
    S("ld_mh", "ah", "Learning Disabilities and Mental Health", "LDM", "P3.O1",
      ("Learning Disability Team", "Approved Mental Health Professional Service"),
      ("Increase the number of adults with a learning disability in paid work",
       "Help people move from residential care into supported living",
       "Make sure Mental Health Act assessments happen promptly"),
      ("Open the Millbrook Court supported living scheme (12 flats)",
       "Launch a supported employment partnership with local employers",
       "Review every out-of-borough learning disability placement",
       "Agree a joint AMHP rota with the mental health trust",
       "Co-produce the all-age autism strategy")),
    S("safeguarding_adults", "ah", "Safeguarding Adults", "SGA", "P3.O3",
      ("Adult Safeguarding Hub", "Deprivation of Liberty Safeguards Team"),
      ("Complete safeguarding enquiries promptly and make people safer",
       "Reduce the backlog of Deprivation of Liberty Safeguards applications",
       "Prepare for the Liberty Protection Safeguards"),
      ("Implement the Making Safeguarding Personal outcomes audit",
       "Halve the number of DoLS applications waiting more than six months",
       "Deliver multi-agency safeguarding training to 500 staff",
       "Publish the Safeguarding Adults Board annual report",
       "Complete the thematic review of self-neglect cases")),
    S("commissioning", "ah", "Adult Social Care Commissioning", "COM", "P3.O3",
      ("Care Market Development Team", "Quality and Contracts Team"),
      ("Keep the care market sustainable and of good quality",
       "Pay providers a fair cost of care",
       "Increase extra care housing capacity"),
      ("Publish the Market Sustainability Plan update",
       "Complete the cost of care exercise for care homes",
       "Commission the Harrowdale Fields extra care scheme",
       "Introduce a provider quality dashboard",
       "Re-tender the carers' support service")),
    S("public_health", "ah", "Public Health", "PHE", "P4.O2",
      ("Health Improvement Team", "Health Protection Team"),
      ("Narrow the gap in healthy life expectancy between our most and least deprived wards",
       "Increase the uptake of NHS Health Checks",
       "Protect residents from infectious disease"),
      ("Refresh the Joint Strategic Needs Assessment",
       "Deliver NHS Health Checks through community pharmacies",
       "Launch the Healthy Harrowdale neighbourhoods programme in three priority wards",
       "Publish the Director of Public Health annual report",
       "Run the winter vaccination outreach campaign")),
    S("healthy_lifestyles", "ah", "Healthy Lifestyles", "HLS", "P4.O1",
      ("Stop Smoking Service", "Healthy Weight Team"),
      ("Help more smokers to quit",
       "Reduce childhood obesity",
       "Reduce harm from drugs and alcohol"),
      ("Launch the Swap to Stop vape scheme",
       "Commission a tier 2 adult weight management service",
       "Deliver the Daily Mile in 40 primary schools",
       "Re-procure the drug and alcohol treatment service",
       "Make all council play areas smoke-free")),
    S("ot_equipment", "ah", "Occupational Therapy and Community Equipment", "OTE", "P3.O1",
      ("Occupational Therapy Team", "Community Equipment Service"),
      ("Deliver equipment and adaptations quickly",
       "Reduce waiting lists for occupational therapy assessment",
       "Make the best use of technology-enabled care"),
      ("Introduce same-day delivery for urgent equipment",
       "Launch the technology-enabled care offer",
       "Streamline the Disabled Facilities Grant process with housing",
       "Recycle more returned equipment",
       "Run occupational therapy clinics in two community hubs")),
    # ---- Children and Families
    S("front_door", "cf", "Children's Front Door and Assessment", "CFD", "P1.O2",
      ("Multi-Agency Safeguarding Hub", "Assessment Team"),
      ("Make timely, proportionate decisions on every contact",
       "Complete children and family assessments within 45 working days",
       "Reduce repeat referrals"),
      ("Implement the revised threshold document with partners",
       "Introduce a daily MASH triage meeting with police and health",
       "Audit 10% of contacts each month for decision quality",
       "Launch the online professional referral form",
       "Review the out-of-hours emergency duty service")),
    S("cp_cin", "cf", "Child Protection and Children in Need", "CPN", "P1.O2",
      ("Locality Team North", "Locality Team South"),
      ("Keep children safe through effective child protection plans",
       "Bring social worker caseloads down to manageable levels",
       "Improve the quality of social work practice"),
      ("Roll out the Family Safeguarding model",
       "Recruit and retain permanent social workers through the market supplement scheme",
       "Introduce a practice quality assurance framework",
       "Launch the social work academy for newly qualified staff",
       "Deliver refresher training in the Signs of Safety practice model")),
    S("children_in_care", "cf", "Children in Care and Care Leavers", "CIC", "P1.O3",
      ("Children in Care Team", "Leaving Care Team"),
      ("Give children in care stable homes",
       "Help care leavers into education, employment and suitable homes",
       "Improve health assessments for children in care"),
      ("Publish the refreshed Care Leavers Local Offer",
       "Open two council-run children's homes",
       "Extend the council tax exemption for care leavers to age 25",
       "Introduce a placement stability panel",
       "Deliver the Staying Close pilot")),
    S("fostering", "cf", "Fostering and Adoption", "FOS", "P1.O3",
      ("Fostering Recruitment and Assessment", "Adoption and Permanence Team"),
      ("Recruit more in-house foster carers",
       "Find permanent homes for children quickly",
       "Support special guardians"),
      ("Launch the Foster for Harrowdale recruitment campaign",
       "Improve the fostering allowance and support package",
       "Join the regional adoption agency's early permanence scheme",
       "Introduce foster carer support hubs",
       "Review the special guardianship support offer")),
    S("early_help", "cf", "Early Help and Family Hubs", "EHF", "P1.O1",
      ("Family Hubs East", "Family Hubs West"),
      ("Open a family hub in every locality",
       "Help families earlier so fewer need statutory services",
       "Increase the take-up of funded early education"),
      ("Open the Eastfield Family Hub",
       "Deliver the Start for Life parenting programme",
       "Extend Supporting Families outcomes to 1,200 families",
       "Introduce a single early help assessment",
       "Launch the family hub digital offer")),
    S("education", "cf", "Education and School Improvement", "EDU", "P2.O1",
      ("School Improvement Team", "Admissions and Attendance Team"),
      ("Improve school attendance",
       "Increase the proportion of pupils in good or outstanding schools",
       "Provide enough school places"),
      ("Launch a whole-borough approach to school attendance",
       "Complete the expansion of Westbrook Primary School",
       "Support schools causing concern with targeted improvement plans",
       "Publish the school place planning strategy",
       "Introduce an elective home education register and visiting programme")),
    S("send", "cf", "Special Educational Needs and Disabilities", "SEN", "P2.O2",
      ("EHC Plan Coordination Team", "Educational Psychology Service"),
      ("Issue Education, Health and Care plans within 20 weeks",
       "Meet more needs in mainstream schools",
       "Bring the high needs budget back into balance"),
      ("Deliver the high needs deficit recovery plan",
       "Open two new SEND resource bases in mainstream schools",
       "Recruit additional educational psychologists",
       "Implement the EHC plan online portal",
       "Refresh the SEND Local Offer with parents and carers")),
    S("youth", "cf", "Youth Justice and Youth Services", "YJS", "P2.O3",
      ("Youth Justice Service", "Youth Work Team"),
      ("Reduce first-time entrants to the youth justice system",
       "Reduce reoffending by young people",
       "Increase the number of young people in education, employment or training"),
      ("Expand the Turnaround early intervention programme",
       "Open a youth hub in Harrowdale town centre",
       "Deliver the NEET prevention programme with colleges",
       "Publish the Youth Justice Plan",
       "Introduce restorative justice conferencing")),
    # ---- Place and Environment
    S("waste", "pe", "Waste and Recycling", "WAS", "P5.O1",
      ("Waste Collections", "Household Waste Recycling Centres"),
      ("Increase household recycling",
       "Reduce residual waste per household",
       "Deliver reliable bin collections"),
      ("Introduce weekly food waste collections for all households",
       "Roll out new collection rounds using route optimisation",
       "Launch the Recycle Right communications campaign",
       "Introduce a booking system at household waste recycling centres",
       "Procure replacement refuse collection vehicles")),
    S("cleansing", "pe", "Street Cleansing and Grounds Maintenance", "STC", "P5.O2",
      ("Street Cleansing Team", "Parks and Grounds Team"),
      ("Keep streets and public spaces clean",
       "Tackle fly-tipping",
       "Maintain high-quality parks and green spaces"),
      ("Install CCTV at ten fly-tipping hotspots",
       "Achieve Green Flag status for Riverside Park",
       "Introduce a mobile app for reporting litter and fly-tipping",
       "Plant 5,000 trees through the urban forest programme",
       "Review grass-cutting schedules to support biodiversity")),
    S("highways", "pe", "Highways and Transport", "HWY", "P8.O1",
      ("Highways Maintenance", "Transport Planning"),
      ("Keep roads and footways in good condition",
       "Repair dangerous defects quickly",
       "Grow public transport, walking and cycling"),
      ("Deliver the carriageway resurfacing programme",
       "Complete the Harrowdale Road cycle corridor",
       "Introduce a 'fix first time' approach to pothole repairs",
       "Publish Local Transport Plan 4",
       "Deliver the Bus Service Improvement Plan enhancements")),
    S("planning", "pe", "Planning and Building Control", "PLN", "P7.O3",
      ("Development Management", "Building Control"),
      ("Decide planning applications on time",
       "Adopt the new Local Plan",
       "Keep buildings safe through building control"),
      ("Submit the Local Plan for examination",
       "Introduce a digital validation tool for planning applications",
       "Adopt the Harrowdale Design Code",
       "Clear the backlog of planning enforcement cases",
       "Review pre-application advice charges")),
    S("regulatory", "pe", "Regulatory Services", "REG", "P9.O1",
      ("Environmental Health", "Trading Standards"),
      ("Keep food businesses safe and compliant",
       "Protect residents from scams and rogue traders",
       "Improve air quality"),
      ("Clear the backlog of overdue food hygiene inspections",
       "Deliver the doorstep crime prevention campaign",
       "Publish the Air Quality Action Plan",
       "Introduce a taxi licensing enforcement protocol",
       "Install air quality monitors outside five schools")),
    S("climate", "pe", "Climate Change and Sustainability", "CLI", "P5.O3",
      ("Climate Programme Team", "Energy and Fleet Team"),
      ("Cut the council's own carbon emissions",
       "Support residents and businesses to decarbonise",
       "Adapt to a changing climate"),
      ("Install solar panels on five council buildings",
       "Replace 30 fleet vehicles with electric vehicles",
       "Install 200 on-street electric vehicle charge points",
       "Publish the Climate Adaptation Plan",
       "Launch the Warm Homes retrofit grant scheme")),
    S("economy", "pe", "Economic Development and Regeneration", "ECO", "P7.O1",
      ("Business Support Team", "Town Centre Regeneration Team"),
      ("Help businesses start and grow",
       "Regenerate Harrowdale and Kettlemere town centres",
       "Connect residents to good jobs and skills"),
      ("Deliver the UK Shared Prosperity Fund business grants",
       "Complete the Market Square public realm scheme",
       "Open the Harrowdale Enterprise Centre",
       "Launch the Harrowdale Works employment support programme",
       "Adopt the Town Centre Masterplan")),
    S("parking", "pe", "Parking and Network Management", "PKG", "P8.O3",
      ("Parking Services", "Street Works and Network Management"),
      ("Manage parking fairly to keep traffic moving",
       "Coordinate street works to reduce disruption",
       "Make it easy to pay for parking"),
      ("Introduce cashless parking in all council car parks",
       "Review residents' parking zones",
       "Introduce a lane rental scheme for street works",
       "Introduce camera enforcement outside schools",
       "Replace pay and display machines")),
    # ---- Communities and Housing
    S("housing_options", "ch", "Housing Options and Homelessness", "HOM", "P6.O1",
      ("Housing Options Team", "Temporary Accommodation Team"),
      ("Prevent homelessness",
       "Reduce the use of bed and breakfast accommodation",
       "End rough sleeping"),
      ("Buy 40 homes for use as temporary accommodation",
       "Launch the private rented sector access scheme",
       "Open the Kettlemere Road assessment centre",
       "Refresh the Homelessness and Rough Sleeping Strategy",
       "Introduce a landlord incentive scheme")),
    S("housing_strategy", "ch", "Housing Strategy and Standards", "HSG", "P6.O2",
      ("Affordable Housing Delivery", "Private Sector Housing"),
      ("Increase the supply of affordable homes",
       "Improve standards in private rented homes",
       "Bring empty homes back into use"),
      ("Agree the affordable housing delivery programme with registered providers",
       "Introduce selective licensing in the town centre",
       "Launch the empty homes loan scheme",
       "Complete the private sector stock condition survey",
       "Publish the Housing Strategy action plan")),
    S("libraries", "ch", "Libraries, Culture and Heritage", "LIB", "P9.O2",
      ("Library Service", "Museums and Heritage"),
      ("Increase library use",
       "Open up culture and heritage to more residents",
       "Support digital inclusion"),
      ("Refurbish Harrowdale Central Library",
       "Launch the Harrowdale Heritage Trail",
       "Introduce open-access library hours in four branches",
       "Deliver the digital champions programme",
       "Hold the Harrowdale Festival of Culture")),
    S("leisure", "ch", "Leisure and Sport", "LEI", "P4.O3",
      ("Leisure Contract Management", "Active Communities Team"),
      ("Get more people active",
       "Manage the leisure contract for value and quality",
       "Improve leisure facilities"),
      ("Complete the Westbrook Leisure Centre decarbonisation works",
       "Launch the Active Harrowdale physical activity strategy",
       "Introduce concessionary leisure membership for carers",
       "Re-tender the leisure management contract",
       "Resurface the outdoor athletics track at Holme Lane")),
    S("community_safety", "ch", "Community Safety", "CSF", "P9.O1",
      ("Community Safety Partnership Team", "Anti-social Behaviour Team"),
      ("Reduce anti-social behaviour",
       "Tackle domestic abuse",
       "Reduce serious violence"),
      ("Introduce a public spaces protection order in the town centre",
       "Commission the domestic abuse safe accommodation service",
       "Deliver the serious violence duty strategy",
       "Upgrade the public space CCTV network",
       "Train 300 staff in domestic abuse awareness")),
    S("customer", "ch", "Customer Services", "CUS", "P10.O2",
      ("Contact Centre", "Digital Customer Team"),
      ("Answer customer contacts promptly",
       "Move more transactions online",
       "Resolve complaints well"),
      ("Launch the new customer portal and online account",
       "Introduce a webchat service",
       "Review the complaints policy against the Ombudsman's complaint handling code",
       "Implement a customer relationship management system",
       "Deliver customer care training to frontline staff")),
    S("registration", "ch", "Registration and Bereavement Services", "RBS", "P10.O2",
      ("Registration Service", "Bereavement Services"),
      ("Register births and deaths promptly",
       "Provide dignified bereavement services",
       "Grow ceremonies income"),
      ("Extend Holme Lane cemetery",
       "Refurbish the crematorium chapel",
       "Introduce online booking for ceremonies",
       "Install new cremators with mercury abatement",
       "Review registration and bereavement fees")),
    S("communities", "ch", "Communities and Voluntary Sector", "CVS", "P9.O3",
      ("Community Grants and Partnerships", "Volunteering and Community Hubs"),
      ("Strengthen the voluntary and community sector",
       "Support a community hub in every ward",
       "Help residents with the cost of living"),
      ("Launch the Harrowdale Community Fund",
       "Open three new community hubs",
       "Deliver the Household Support Fund",
       "Agree the Voluntary Sector Compact",
       "Launch the volunteer passport scheme")),
    # ---- Resources
    S("revenues", "rs", "Revenues and Benefits", "RVB", "P10.O1",
      ("Council Tax and Business Rates", "Housing Benefit and Council Tax Support"),
      ("Collect council tax and business rates",
       "Process benefit claims quickly and accurately",
       "Support residents in financial difficulty"),
      ("Introduce e-billing for council tax",
       "Review the council tax support scheme",
       "Automate change of circumstances processing",
       "Complete the single person discount review",
       "Launch a debt advice referral pathway")),
    S("finance", "rs", "Finance", "FIN", "P10.O1",
      ("Financial Planning and Analysis", "Exchequer Services"),
      ("Set and deliver a balanced budget",
       "Pay suppliers promptly",
       "Close the accounts on time"),
      ("Deliver the savings programme",
       "Publish the Medium Term Financial Strategy",
       "Implement the new finance system",
       "Publish the statement of accounts by the statutory deadline",
       "Review fees and charges across the council")),
    S("hr", "rs", "Human Resources and Organisational Development", "HRD", "P10.O3",
      ("HR Advisory", "Learning and Organisational Development"),
      ("Reduce sickness absence",
       "Recruit and retain a skilled workforce",
       "Develop leaders and managers"),
      ("Launch the wellbeing and attendance programme",
       "Introduce the Harrowdale leadership academy",
       "Deliver the apprenticeship levy plan",
       "Complete the pay and grading review",
       "Publish the workforce strategy")),
    S("ict", "rs", "ICT and Digital", "ICT", "P10.O2",
      ("ICT Service Desk", "Digital Delivery Team"),
      ("Keep systems available and secure",
       "Resolve ICT incidents promptly",
       "Deliver the digital strategy"),
      ("Achieve Cyber Essentials Plus accreditation",
       "Migrate data centre services to the cloud",
       "Replace end-of-life laptops",
       "Complete the Microsoft 365 roll-out",
       "Introduce robotic process automation for three processes")),
    S("legal_dem", "rs", "Legal and Democratic Services", "LDS", "P10.O1",
      ("Legal Services", "Democratic and Electoral Services"),
      ("Provide timely legal advice",
       "Support open and transparent decision-making",
       "Run elections well"),
      ("Deliver the May 2027 local elections",
       "Introduce a new committee management system",
       "Complete the annual electoral canvass",
       "Review the constitution",
       "Publish the forward plan of key decisions online")),
    S("procurement", "rs", "Procurement and Commercial", "PRC", "P10.O1",
      ("Procurement Team", "Contract Management Team"),
      ("Get value for money from contracts",
       "Increase spend with local suppliers",
       "Implement the Procurement Act"),
      ("Implement Procurement Act 2023 processes",
       "Publish the social value policy",
       "Introduce contract management training",
       "Review the contracts register",
       "Launch a supplier portal")),
    S("property", "rs", "Property and Assets", "PRA", "P10.O1",
      ("Estates and Valuation", "Facilities Management"),
      ("Make the best use of the council's property",
       "Keep buildings safe and compliant",
       "Generate income from commercial property"),
      ("Deliver the office accommodation rationalisation programme",
       "Complete fire risk assessments for all operational buildings",
       "Dispose of surplus assets",
       "Let the vacant units at Riverside Business Park",
       "Publish the asset management plan")),
    S("policy_perf", "rs", "Policy, Performance and Communications", "PPC", "P10.O2",
      ("Performance and Intelligence", "Communications and Engagement"),
      ("Provide timely, accurate performance information",
       "Engage residents in council decisions",
       "Keep residents informed"),
      ("Launch the public performance dashboard",
       "Run the Harrowdale residents' survey",
       "Publish the annual performance report",
       "Deliver the Council Plan refresh",
       "Introduce the new corporate performance management system")),
)

SERVICE_SOURCES: dict[str, str] = {
    "ah": "Adult social care case management system; NHS discharge data",
    "cf": "Children's social care case management system",
    "pe": "Place services operational systems",
    "ch": "Housing and communities case management system",
    "rs": "Corporate finance, HR and ICT systems",
}

# Generic actions every service also carries (formatted with the service and a team).
GENERIC_ACTIONS: tuple[str, ...] = (
    "Complete the {service} workforce and succession plan",
    "Deliver this year's savings proposals for {service}",
    "Publish updated customer service standards for {service}",
    "Implement the recommendations of the internal audit of {service}",
    "Complete an equality impact assessment of {service} policies",
    "Improve the quality of case records in the {team}",
    "Introduce monthly performance clinics in {service}",
    "Review and test the {service} business continuity plan",
    "Move {team} records to the new document management system",
    "Review the {team} operating procedures and guidance",
)

# --------------------------------------------------------------------------------------------------
# The Council Plan: priorities and outcomes (A3: each priority has a portfolio holder and a lead director)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriorityDef:
    ref: str
    title: str
    portfolio: str
    directorate: str  # the lead director's directorate
    outcomes: tuple[str, str, str]


PRIORITIES: tuple[PriorityDef, ...] = (
    PriorityDef("P1", "Every child has the best start in life", "Children, Young People and Families", "cf",
                ("Families get the right help at the right time through early help and family hubs",
                 "Children are safe from harm and neglect",
                 "Children in care and care leavers have stable homes and good futures")),
    PriorityDef("P2", "Children and young people achieve their potential", "Education, Skills and SEND", "cf",
                ("Children attend good schools and achieve well",
                 "Children with special educational needs and disabilities get timely, effective support",
                 "Young people are in education, employment or training and stay out of the justice system")),
    PriorityDef("P3", "Adults live independent, safe and fulfilled lives", "Adult Social Care", "ah",
                ("People are supported to stay independent at home for longer",
                 "People leave hospital promptly with the right support",
                 "Adults at risk are safeguarded and the care market is sustainable")),
    PriorityDef("P4", "Residents live longer, healthier lives", "Public Health and Wellbeing", "ah",
                ("Fewer people smoke and more people are a healthy weight",
                 "Health inequalities between our communities narrow",
                 "More people are active and take part in sport and leisure")),
    PriorityDef("P5", "A clean, green and carbon-neutral borough", "Environment and Climate Emergency", "pe",
                ("Less waste is produced and more is recycled",
                 "Streets, parks and open spaces are clean and well kept",
                 "The council reaches net zero by 2030 and the borough adapts to climate change")),
    PriorityDef("P6", "Good homes for everyone", "Housing", "ch",
                ("Homelessness is prevented and fewer families live in temporary accommodation",
                 "More affordable homes are built",
                 "Private rented homes are safe and well managed")),
    PriorityDef("P7", "A thriving, inclusive economy", "Economy, Regeneration and Planning", "pe",
                ("Businesses start, grow and invest in Harrowdale",
                 "Town centres are vibrant and regenerated",
                 "Planning decisions are timely and deliver high-quality development")),
    PriorityDef("P8", "A well-connected borough", "Highways and Transport", "pe",
                ("Roads and footways are safe and well maintained",
                 "More journeys are made by public transport, walking and cycling",
                 "Parking and street works are managed to keep the borough moving")),
    PriorityDef("P9", "Safe, strong and connected communities", "Communities, Culture and Community Safety", "ch",
                ("People feel safe and anti-social behaviour falls",
                 "More residents enjoy libraries, culture and heritage",
                 "Communities and the voluntary sector are strong and resilient")),
    PriorityDef("P10", "A well-run council that spends wisely", "Finance and Resources", "rs",
                ("The council's finances are sustainable and council tax is collected",
                 "Residents get good, digital-first customer service",
                 "Our workforce is skilled, healthy and engaged")),
)

# Outcome delivery plans (A1 level 4) for a few priorities: items under each outcome.
OUTCOME_DELIVERY: dict[str, dict[str, tuple[str, ...]]] = {
    "P1": {"P1.O1": ("Open family hubs in every locality and join up early help",),
           "P1.O2": ("Embed the Family Safeguarding model across children's social care",),
           "P1.O3": ("Increase in-house foster care and local children's homes",)},
    "P3": {"P3.O1": ("Shift support from residential care to help at home, using technology-enabled care",),
           "P3.O2": ("Deliver the Home First discharge model with the NHS",),
           "P3.O3": ("Stabilise the care market through fair fees and quality support",)},
    "P5": {"P5.O1": ("Introduce food waste collections and lift recycling to 52%",),
           "P5.O2": ("Crack down on fly-tipping and litter",),
           "P5.O3": ("Deliver the council's Net Zero 2030 carbon reduction plan",)},
    "P10": {"P10.O1": ("Close the budget gap through the savings and income programme",),
            "P10.O2": ("Move customers to digital channels while keeping help for those who need it",),
            "P10.O3": ("Reduce sickness absence and agency spend",)},
}

# Directorate business plan items: one per outcome the directorate's services serve.
DIRECTORATE_OBJECTIVES: dict[tuple[str, str], str] = {
    ("ah", "P3.O1"): "Help more people live independently at home, reducing reliance on residential care",
    ("ah", "P3.O2"): "Work with the NHS so people leave hospital promptly with reablement support",
    ("ah", "P3.O3"): "Safeguard adults at risk and keep a sustainable, good-quality care market",
    ("ah", "P4.O1"): "Reduce smoking and obesity through targeted healthy lifestyle services",
    ("ah", "P4.O2"): "Use public health intelligence to target our most deprived wards",
    ("cf", "P1.O1"): "Make family hubs the front door to early help in every locality",
    ("cf", "P1.O2"): "Deliver consistently good social work practice that keeps children safe",
    ("cf", "P1.O3"): "Secure stable, local homes for children in care and support care leavers",
    ("cf", "P2.O1"): "Raise attendance and attainment and provide enough good school places",
    ("cf", "P2.O2"): "Deliver the SEND improvement and high needs recovery plans",
    ("cf", "P2.O3"): "Prevent offending and help young people into education, employment and training",
    ("pe", "P5.O1"): "Modernise waste collections and raise recycling",
    ("pe", "P5.O2"): "Keep the borough's streets and green spaces clean, safe and attractive",
    ("pe", "P5.O3"): "Lead the council's Net Zero 2030 programme",
    ("pe", "P7.O1"): "Grow the local economy and connect residents to jobs",
    ("pe", "P7.O2"): "Deliver the town centre regeneration programme",
    ("pe", "P7.O3"): "Run a fast, high-quality planning and building control service",
    ("pe", "P8.O1"): "Maintain the highway network in good condition",
    ("pe", "P8.O2"): "Deliver the Local Transport Plan: buses, walking and cycling",
    ("pe", "P8.O3"): "Manage parking and the road network to keep traffic moving",
    ("pe", "P9.O1"): "Protect residents through effective regulatory services",
    ("ch", "P4.O3"): "Get more residents active through leisure and sport",
    ("ch", "P6.O1"): "Prevent homelessness and cut the use of temporary accommodation",
    ("ch", "P6.O2"): "Accelerate affordable housing delivery and bring empty homes back into use",
    ("ch", "P6.O3"): "Raise standards in private rented homes through licensing and enforcement",
    ("ch", "P9.O1"): "Work with partners to reduce anti-social behaviour and domestic abuse",
    ("ch", "P9.O2"): "Modernise libraries and open up culture and heritage",
    ("ch", "P9.O3"): "Strengthen community hubs and the voluntary sector",
    ("ch", "P10.O2"): "Deliver responsive, digital-first customer and registration services",
    ("rs", "P10.O1"): "Keep the council financially sustainable and well governed",
    ("rs", "P10.O2"): "Deliver the digital strategy and reliable corporate services",
    ("rs", "P10.O3"): "Build a healthy, skilled and engaged workforce",
}

# Service plan objectives that serve another outcome than the service's own: (service, objective number).
OBJECTIVE_OUTCOMES: dict[tuple[str, int], str] = {
    ("housing_strategy", 2): "P6.O3",
    ("economy", 2): "P7.O2",
    ("highways", 3): "P8.O2",
}

# Services whose earlier service plans are kept as closed previous versions (A4): last year's, and for
# the second set the year before as well.
SERVICE_PLAN_HISTORY: tuple[str, ...] = (
    "ld_mh", "ot_equipment", "safeguarding_adults", "cp_cin", "fostering", "registration", "revenues", "procurement",
)
SERVICE_PLAN_TWO_YEARS_BACK: tuple[str, ...] = ("ld_mh", "cp_cin", "revenues")

# A partnership plan hanging off public health outcomes (A1: partnership plans hang off the same tree).
PARTNERSHIP_PLAN = (
    "Harrowdale Health and Wellbeing Partnership Plan",
    (("P4.O1", "Partners deliver a smoke-free Harrowdale programme across the NHS and council"),
     ("P4.O2", "Partners target health inequalities in the three most deprived neighbourhoods"),
     ("P4.O3", "Partners promote physical activity through the Active Harrowdale alliance")),
)



@dataclass(frozen=True)
class ExternalDef:
    """A1: a wholly-owned company or commissioned contract a directorate oversees, with its own plan (a business
    or contract plan at service-plan level) and measures (catalogue prefix), but no council teams."""

    key: str
    directorate: str
    name: str
    kind: str  # pmf.choices.ServiceKind
    provider: str
    prefix: str
    outcome: str  # the Council Plan outcome its plan hangs off
    plan_title: str
    approval: str
    head_title: str
    lead_titles: tuple[str, str]  # performance lead and deputy
    objectives: tuple[str, str, str]


EXTERNAL_UNITS: tuple[ExternalDef, ...] = (
    ExternalDef("homes_co", "ch", "Harrowdale Homes Ltd", "company", "Harrowdale Homes Ltd", "HHL", "P6.O2",
                "Harrowdale Homes Ltd Business Plan", "Approved by the Shareholder Board.",
                "Managing Director, Harrowdale Homes Ltd",
                ("Performance and Compliance Manager, Harrowdale Homes Ltd", "Finance Director, Harrowdale Homes Ltd"),
                ("Build 300 new homes by 2030, at least 40% of them affordable",
                 "Let and manage the company's homes well and collect the rent",
                 "Pay the council a return on its investment from a sustainable surplus")),
    ExternalDef("leisure_contract", "ch", "Leisure Centres Management Contract", "contract",
                "Everfit Leisure Management Ltd", "LMC", "P4.O3", "Leisure Centres Management Contract Plan",
                "Agreed with the contractor at the annual contract review.", "Leisure Contract Manager",
                ("Leisure Contract Monitoring Officer", "Commissioning Officer, Leisure and Sport"),
                ("Keep the five leisure centres open, safe and clean",
                 "Get more children swimming and more residents active",
                 "Give customers a good service and answer complaints promptly")),
)

# The Shareholder Board (A1, E1): councillors overseeing the wholly-owned company; its remit is the company's
# business plan. (name, external unit keys in its remit)
SHAREHOLDER_BOARD = ("Harrowdale Shareholder Board", ("homes_co",))

# Committees (A5): Cabinet has every priority in its remit; the scrutiny committees split them.
COMMITTEES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Harrowdale Cabinet", "cabinet", ("P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "P10")),
    ("Harrowdale People Overview and Scrutiny Committee", "scrutiny", ("P1", "P2", "P3", "P4", "P9")),
    ("Harrowdale Place and Resources Overview and Scrutiny Committee", "scrutiny", ("P5", "P6", "P7", "P8", "P10")),
)

# Corporate risks (E4), owned by a directorate's director.
RISKS: tuple[tuple[str, str, str], ...] = (
    ("CR01", "Failure to deliver a balanced budget and maintain financial sustainability", "rs"),
    ("CR02", "Fragility of the adult social care market and home care capacity", "ah"),
    ("CR03", "Failure to safeguard children at risk of harm", "cf"),
    ("CR04", "Failure to safeguard adults at risk", "ah"),
    ("CR05", "Cyber attack disrupting council services", "rs"),
    ("CR06", "Recruitment and retention of key professional staff", "rs"),
    ("CR07", "Rising demand for temporary accommodation", "ch"),
    ("CR08", "Growth of the high needs (SEND) budget deficit", "cf"),
    ("CR09", "Severe weather and climate impacts on services and infrastructure", "pe"),
    ("CR10", "Failure of a major contract or supplier", "rs"),
    ("CR11", "Information governance breach", "rs"),
    ("CR12", "Health, safety and compliance of council buildings", "rs"),
)

#: Issue 13: each risk's likelihood and impact now, and the target likelihood and impact once its actions are done.
RISK_SCORES: dict[str, tuple[int, int, int, int]] = {
    "CR01": (4, 5, 3, 4), "CR02": (4, 4, 3, 3), "CR03": (3, 5, 2, 5), "CR04": (3, 5, 2, 4),
    "CR05": (4, 4, 3, 3), "CR06": (4, 3, 3, 2), "CR07": (5, 3, 3, 3), "CR08": (4, 4, 3, 3),
    "CR09": (3, 3, 2, 3), "CR10": (2, 4, 2, 3), "CR11": (3, 3, 2, 2), "CR12": (2, 4, 1, 4),
}

# Programmes and projects with decision points (A6): (programme, outcome, sponsor directorate,
# ((project, ((service key, action number 1-5), ...)), ...)).
PROGRAMMES = (
    ("Adult Social Care Transformation Programme", "P3.O1", "ah",
     (("Home First discharge model", (("reablement", 5), ("reablement", 3))),
      ("Technology-enabled care", (("ot_equipment", 2),)),
      ("Supported living expansion", (("ld_mh", 1), ("ld_mh", 3))))),
    ("Harrowdale Town Centre Regeneration Programme", "P7.O2", "pe",
     (("Market Square public realm", (("economy", 2),)),
      ("Harrowdale Enterprise Centre", (("economy", 3),)),
      ("Town Centre Masterplan", (("economy", 5), ("planning", 3))))),
    ("Digital Harrowdale Programme", "P10.O2", "rs",
     (("Customer portal and online account", (("customer", 1), ("customer", 4))),
      ("Cloud migration", (("ict", 2),)),
      ("Finance system replacement", (("finance", 3),)))),
    ("Net Zero 2030 Programme", "P5.O3", "pe",
     (("Council estate solar and heat", (("climate", 1), ("leisure", 1))),
      ("Fleet electrification", (("climate", 2), ("waste", 5))))),
)

# --------------------------------------------------------------------------------------------------
# People. Invented names only: common first names and surnames combined at random (seeded), with the
# surnames of prominent public figures left out. The demo logins below are fixed so the README can cite them.
# --------------------------------------------------------------------------------------------------

FIRST_NAMES: tuple[str, ...] = (
    "Aisha", "Alan", "Alice", "Amir", "Amy", "Andrew", "Angela", "Anita", "Ben", "Beth", "Bilal", "Caroline",
    "Catherine", "Chloe", "Chris", "Claire", "Colin", "Craig", "Daniel", "Darren", "Deborah", "Deepa",
    "Declan", "Dominic", "Emma", "Ewa", "Fatima", "Ffion", "Fiona", "Gemma", "Graham", "Hannah",
    "Harpreet", "Imran", "Isobel", "Jack", "Jade", "James", "Janet", "Jasmine", "Jason", "Joanne",
    "Jonathan", "Joseph", "Julie", "Karen", "Kate", "Kelly", "Kevin", "Kirsty", "Kwame", "Laura", "Leanne",
    "Lisa", "Lucy", "Lydia", "Marcus", "Mark", "Martin", "Megan", "Mei", "Michelle", "Mohammed", "Naomi",
    "Neil", "Niamh", "Nicola", "Oliver", "Paul", "Pauline", "Peter", "Priya", "Rachel", "Rajesh", "Rebecca",
    "Rhys", "Richard", "Robert", "Rosie", "Ryan", "Sally", "Samina", "Sarah", "Sean", "Shabana", "Simon",
    "Siobhan", "Sophie", "Stephen", "Stuart", "Susan", "Tariq", "Thomas", "Tomasz", "Tracey", "Usha",
    "Victoria", "Wendy", "Yusuf", "Zoe", "Adebayo", "Arjun", "Chidi", "Joel", "Eilidh", "Hamza",
)

SURNAMES: tuple[str, ...] = (
    "Ashby", "Bannerman", "Barlow", "Bateman", "Birch", "Blackwood", "Bradshaw", "Brennan", "Carrick",
    "Chadwick", "Chowdhury", "Cresswell", "Dalton", "Davenport", "Dixon", "Doyle", "Eastwood", "Ellison",
    "Farrow", "Fletcher", "Foxley", "Gallagher", "Garside", "Gill", "Greenhalgh", "Hadfield", "Halloran",
    "Hargreaves", "Haworth", "Hepworth", "Hussain", "Iqbal", "Jennings", "Kaur", "Kelsall", "Kenworthy",
    "Khan", "Lister", "Lowther", "Mahmood", "Mather", "McAllister", "Mellor", "Metcalfe", "Moorcroft",
    "Nolan", "Nowak", "Ormerod", "Parkin", "Patel", "Pickering", "Quinlan", "Radcliffe", "Rashid", "Rowley",
    "Sahota", "Sharma", "Shepherd", "Siddiqui", "Singh", "Slater", "Stansfield", "Sutcliffe", "Tattersall",
    "Thornton", "Threlfall", "Townsend", "Varley", "Wadsworth", "Walmsley", "Whittaker", "Winstanley",
    "Worrall", "Yates", "Adeyemi", "Osei", "Kowalski", "Byrne", "Rahman", "Begum", "Lindqvist", "Okonjo",
    "Entwistle", "Holt", "Pilling", "Crossley", "Ackroyd", "Royle", "Duckworth", "Haslam", "Nuttall",
)

# The fixed demo logins (one per role, plus the Leader): (username, first, last, role key).
NAMED_PEOPLE: dict[str, tuple[str, str]] = {
    "helen.marsh": ("Helen", "Marsh"),  # performance unit: Head of Performance and Intelligence
    "tom.ashworth": ("Tom", "Ashworth"),  # service lead: Waste and Recycling
    "grace.okafor": ("Grace", "Okafor"),  # head of service: Waste and Recycling
    "ruth.calloway": ("Ruth", "Calloway"),  # director: Place and Environment
    "sanjay.mistry": ("Sanjay", "Mistry"),  # sign-off delegate for the Place and Environment director
    "owen.hartley": ("Owen", "Hartley"),  # Cabinet member: Environment and Climate Emergency
    "eleanor.pryce": ("Eleanor", "Pryce"),  # Leader of the Council: Finance and Resources
    "gareth.whitlow": ("Gareth", "Whitlow"),  # scrutiny member: chair of Place and Resources O&S
    "nadia.holloway": ("Nadia", "Holloway"),  # internal audit: Head of Internal Audit
    "liam.fenwick": ("Liam", "Fenwick"),  # staff: Waste Collections
    "frances.oyelaran": ("Frances", "Oyelaran"),  # Shareholder Board: its chair
}

PERFORMANCE_UNIT_TITLES = (
    "Head of Performance and Intelligence", "Senior Performance Analyst", "Senior Performance Analyst",
    "Performance Analyst", "Performance Analyst", "Data and Insight Officer",
)
INTERNAL_AUDIT_TITLES = ("Head of Internal Audit", "Senior Auditor", "Auditor")
STAFF_TITLES = ("Senior Officer", "Officer", "Practitioner", "Coordinator", "Assistant")

COMPARATORS: tuple[str, ...] = (
    "Aldenbury Council", "Brackwell Borough Council", "Caverton Council", "Dunhallow Council",
    "Elmstead Vale Council", "Farnleigh Council", "Greymoor Council", "Hollowmere Council",
    "Kestwick Council", "Lornbridge Council", "Marlstone Council", "Netherfold Council",
    "Oakhaven Council", "Pellingford Council", "Quarrington Council", "Rushmere Vale Council",
)
