"""Loads OSCAL documents into compliance-trestle's OSCAL models, the way a GRC pipeline built
on trestle reads them: a document that does not fit the OSCAL 1.1 model (a missing required
field, a malformed UUID, token or date-time, an unknown field) fails to load.

    python oscal_trestle.py FILE...   one line per document: its kind, then counts; exit 1 on any error
"""

import pathlib
import sys

from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.poam import PlanOfActionAndMilestones

errors = 0
for name in sys.argv[1:]:
    path = pathlib.Path(name)
    text = path.read_text()
    try:
        if '"assessment-results"' in text[:40]:
            ar = AssessmentResults.oscal_read(path)
            result = ar.results[0]
            print(
                f"{path.name}: assessment-results findings={len(result.findings or [])} observations={len(result.observations or [])}"
                f" risks={len(result.risks or [])} resources={len(ar.back_matter.resources or [])}"
            )
        elif '"plan-of-action-and-milestones"' in text[:60]:
            poam = PlanOfActionAndMilestones.oscal_read(path)
            print(
                f"{path.name}: plan-of-action-and-milestones"
                f" items={len(poam.poam_items)} risks={len(poam.risks or [])}"
            )
        else:
            print(f"{path.name}: not an OSCAL assessment-results or POA&M document")
            errors += 1
    except Exception as e:  # any model error is the test's failure, named with the file
        print(f"{path.name}: {type(e).__name__}: {e}")
        errors += 1
sys.exit(1 if errors else 0)
