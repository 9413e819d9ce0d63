from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "ntm.funding"
    verbose_name = "Nguồn lực và giám sát cộng đồng"
    actions = {
        # ledger entries, residents' decisions, contributors, disclosures, community projects
        "funding.edit": ("province", "commune", "hamlet"),
        # the per-household ceiling and the province's list of project types
        "funding.settings": ("province",),
        # the community investment supervision board records its own inspections
        "funding.supervise": ("commune", "supervisor"),
    }
