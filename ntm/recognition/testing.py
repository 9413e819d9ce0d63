"""Rows of every recognition model on a given unit, for the scope sweep (ntm.testing.OUTSIDER_ROWS)."""

from __future__ import annotations

import datetime as dt

from . import models as m


def outsider_rows() -> dict:
    def dossier(u):
        return m.Dossier.objects.get_or_create(unit=u, level="ntm", year=2030)[0]

    def recognition(u):
        return m.Recognition.objects.get_or_create(unit=u, level="ntm", year=2030, kind="recorded",
                                                   defaults={"decision_number": "1/QĐ-UBND"})[0]

    def consultation(u):
        return m.Consultation.objects.get_or_create(dossier=dossier(u), defaults={"posted_at": "x",
                                                                                  "opened_on": dt.date(2030, 1, 1)})[0]

    def appraisal(u):
        return m.Appraisal.objects.get_or_create(dossier=dossier(u))[0]

    return {
        "recognition.Recognition": recognition,
        "recognition.Dossier": dossier,
        "recognition.Transition": lambda u: m.Transition.objects.create(unit=u, dossier=dossier(u), action="open",
                                                                        to_state="draft"),
        "recognition.Snapshot": lambda u: m.Snapshot.objects.create(dossier=dossier(u), year=2030, set_code="x"),
        "recognition.Consultation": consultation,
        "recognition.Reading": lambda u: m.Reading.objects.create(consultation=consultation(u), on=dt.date(2030, 1, 2)),
        "recognition.Comment": lambda u: m.Comment.objects.create(consultation=consultation(u), organisation="MTTQ",
                                                                  on=dt.date(2030, 1, 2), text="x"),
        "recognition.Survey": lambda u: m.Survey.objects.create(dossier=dossier(u), households_asked=1,
                                                                households_answered=1, households_satisfied=1,
                                                                on=dt.date(2030, 1, 3)),
        "recognition.Override": lambda u: m.Override.objects.create(dossier=dossier(u), criterion="1", reason="x"),
        "recognition.Appraisal": appraisal,
        "recognition.Verdict": lambda u: m.Verdict.objects.create(appraisal=appraisal(u), criterion="1", met=True),
        "recognition.Attachment": lambda u: m.Attachment.objects.create(dossier=dossier(u), kind="to_trinh",
                                                                        file="recognition/test/x.pdf"),
        "recognition.WithdrawalCase": lambda u: m.WithdrawalCase.objects.create(
            unit=u, recognition=recognition(u), evaluation_year=2030, reason="x"),
    }
