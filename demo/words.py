"""The words the demo's names and notes are made of: people, companies, public bodies,
divisions, success-plan objectives, call notes and webinar titles."""

FIRST_NAMES = (
    "Aisha", "Alejandro", "Amelia", "Ana", "Andrei", "Arjun", "Ben", "Camila", "Carlos",
    "Chen", "Chloe", "Daniel", "David", "Diego", "Elena", "Emma", "Fatima", "Felix",
    "Gabriel", "Grace", "Hana", "Hannah", "Hiroshi", "Ines", "Isabel", "Jack", "James",
    "Javier", "Jonas", "Julia", "Kenji", "Laura", "Leila", "Liam", "Lucas", "Maria",
    "Marta", "Mateo", "Maya", "Mei", "Mohammed", "Nadia", "Noah", "Olivia", "Omar",
    "Priya", "Rafael", "Ravi", "Rosa", "Sam", "Sara", "Sofia", "Tariq", "Thomas",
    "Valentina", "Wei", "Yuki", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Adeyemi", "Alvarez", "Andersen", "Bauer", "Becker", "Brown", "Castillo", "Chen",
    "Costa", "Dubois", "Eriksson", "Fernandes", "Fischer", "Garcia", "Gupta", "Hansen",
    "Hernandez", "Ito", "Jansen", "Johnson", "Kim", "Kowalski", "Larsen", "Lopez",
    "Martin", "Meyer", "Moreau", "Mueller", "Nakamura", "Nguyen", "Novak", "O'Brien",
    "Okafor", "Patel", "Pereira", "Rossi", "Santos", "Schmidt", "Silva", "Singh",
    "Smith", "Tanaka", "Taylor", "Van Dijk", "Walker", "Wang", "Weber", "Williams",
    "Wilson", "Yamamoto", "Zhang",
)  # fmt: skip
COMPANY_WORDS = (
    "Alder", "Amber", "Apex", "Arcadia", "Aspen", "Atlas", "Bayside", "Beacon",
    "Birchwood", "Blue Harbor", "Brightwater", "Canyon", "Cascade", "Cedar Point",
    "Clearwater", "Coastal", "Cobalt", "Contoso", "Copperfield", "Cornerstone",
    "Crescent", "Crystal Bay", "Delta", "Driftwood", "Eastgate", "Ember", "Evergreen",
    "Fabrikam", "Fairview", "Falcon", "Foxglove", "Glacier", "Golden Gate", "Granite",
    "Greenfield", "Harborview", "Harvest", "Heritage", "Highland", "Horizon", "Ironwood",
    "Juniper", "Kestrel", "Keystone", "Lakeshore", "Larkspur", "Lighthouse", "Lodestar",
    "Magnolia", "Maple", "Marble Arch", "Meridian", "Mistral", "Monarch", "Nimbus",
    "Northstar", "Northwind", "Oakridge", "Obsidian", "Orion", "Osprey", "Pacific Crest",
    "Palisade", "Pinnacle", "Pioneer", "Polaris", "Prairie", "Quarry", "Quicksilver",
    "Radiant", "Red Rock", "Redwood", "Riverbend", "Rosewood", "Sable", "Saltmarsh",
    "Sequoia", "Sierra", "Silver Lake", "Skyline", "Starling", "Stonebridge", "Summit",
    "Sunrise", "Thistle", "Tidewater", "Timberline", "Trident", "Union Square",
    "Vanguard", "Verdant", "Westbrook", "Whitestone", "Willow", "Windmill", "Zenith",
)  # fmt: skip
INDUSTRY_WORDS = (
    "Aerospace", "Agritech", "Airlines", "Analytics", "Bank", "Biotech", "Brewing",
    "Capital", "Chemicals", "Cloud", "Devices", "Energy", "Foods", "Freight", "Games",
    "Health", "Hospitality", "Insurance", "Labs", "Learning", "Logistics", "Media",
    "Mining", "Mobility", "Motors", "Networks", "Outfitters", "Payments", "Pharma",
    "Realty", "Retail", "Robotics", "Security", "Semiconductors", "Shipping", "Software",
    "Systems", "Telecom", "Textiles", "Utilities",
)  # fmt: skip
COMPANY_SUFFIXES = {
    "us": ("", "", "Inc.", "Corp.", "LLC", "Group"),
    "emea": ("", "GmbH", "AG", "Ltd", "SA", "BV", "plc", "AB"),
    "apac": ("", "Pty Ltd", "Pte Ltd", "K.K.", "Ltd"),
    "latam": ("", "S.A.", "Ltda.", "S.A. de C.V."),
}
REGION_NAME_STYLE = {
    "us-enterprise": "us",
    "commercial-noram": "us",
    "emea-enterprise": "emea",
    "commercial-emea": "emea",
    "apac-enterprise": "apac",
    "commercial-latam": "latam",
}
PUBLIC_JURISDICTIONS = (
    "State of Ohio", "State of Texas", "State of Washington", "State of Georgia",
    "State of Colorado", "State of Arizona", "State of Oregon", "State of Utah",
    "Commonwealth of Virginia", "Commonwealth of Massachusetts", "City of Denver",
    "City of Austin", "City of Seattle", "City of Boston", "City of Chicago",
    "City of San Diego", "County of Travis", "County of King", "County of Fairfax",
    "County of Maricopa", "County of Cook", "City of Portland", "State of Nevada",
)  # fmt: skip
PUBLIC_AGENCIES = (
    "Department of Revenue", "Department of Transportation", "Health Authority",
    "Water Board", "Public Schools", "Courts", "Police Department", "Transit Authority",
    "Office of Information Technology", "Parks Department", "Department of Labor",
    "Election Office", "Housing Agency", "Emergency Management", "Digital Services",
)  # fmt: skip
FEDERAL_BODIES = (
    "U.S. Army Software Factory", "U.S. Navy Digital Services", "U.S. Air Force Platform One",
    "Federal Aviation Systems Office", "National Weather Data Service",
    "Veterans Health Technology Office", "U.S. Census Data Office", "Federal Student Aid IT",
    "National Parks Digital Office", "U.S. Patent Systems Office", "Federal Grants Platform",
    "Coast Guard Engineering Office",
)  # fmt: skip
DIVISIONS = (
    "Europe", "Asia Pacific", "Research", "Digital", "Cloud Services", "Manufacturing",
    "Shared Services", "Retail Division", "Platform", "Data", "North", "South",
)  # fmt: skip
OBJECTIVE_TITLES = (
    "Migrate CI from Jenkins",
    "Consolidate source control onto one instance",
    "Enable security scanning in every pipeline",
    "Halve the release lead time",
    "Roll out merge request approvals",
    "Move planning from spreadsheets to epics",
    "Adopt the package registry for internal libraries",
    "Deploy to Kubernetes from the pipeline",
    "Standardise pipeline templates across teams",
    "Set up compliance frameworks for audited projects",
    "Train 200 developers on the platform",
    "Cut flaky test failures by 80%",
    "Introduce feature flags for staged rollouts",
    "Replace the legacy artifact server",
    "Shift dependency scanning left",
    "Measure DORA metrics for every product team",
    "Automate infrastructure with pipelines",
    "Move runners to autoscaling",
)
CADENCE_NOTES = (
    "Reviewed open issues and roadmap questions.",
    "Walked through the adoption dashboard.",
    "Discussed upcoming upgrade and runner capacity.",
    "Followed up on support tickets; no blockers.",
    "Checked progress on success-plan objectives.",
    "",
)
ONBOARDING_WEBINARS = (
    "Onboarding: Getting started with the platform",
    "Onboarding: Your first CI/CD pipeline",
)
TOPIC_WEBINARS = (
    "Security scanning in practice",
    "Planning with epics and roadmaps",
    "Faster pipelines: caching and parallel jobs",
    "Package registry deep dive",
    "Release orchestration and environments",
    "Observability for deployments",
    "Compliance pipelines for regulated teams",
    "Migrating from Jenkins",
)
