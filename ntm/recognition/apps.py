from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "ntm.recognition"
    verbose_name = "Công nhận, thu hồi"
    # Role-actions on a unit (ntm.accounts.scope). Verification and the decision are also bound to the
    # office the rules name for the day (recognition/data/rules.toml [[verifier]], [[authority]]): a
    # commune-level grant verifies hamlets' dossiers only, a province-level grant communes' and districts'.
    actions = {
        "recognition.prepare": ("commune", "hamlet"),
        "recognition.consult": ("supervisor",),
        "recognition.survey": ("supervisor",),
        "recognition.verify": ("province", "commune"),
        "recognition.appraise": ("appraisal",),
        "recognition.override": ("appraisal",),
        "recognition.decide": ("province", "commune"),
        "recognition.announce": ("commune", "province"),
        "recognition.withdraw": ("province",),
        "recognition.record": ("province",),
    }
