"""What the Schemathesis runs leave out, and why: one list for the test suite
(``test_schemathesis.py``) and ``make api-check`` (``api_check.py``)."""

# Operations where a request the schema calls valid may rightly be refused with 400, so the
# check "a schema-valid request is accepted" cannot hold; each with why.
POSITIVE_EXEMPT = {
    "POST /api/v1/reviews/{review_id}/opinion/submit/": "only a complete draft is sealed (a 400 names what is missing)",
    "POST /api/v1/draws/batch/": "the reviews must exist, be waiting for a panel, and their pools give their panels",
    "POST /api/v1/auth/token/": "well-formed credentials that are wrong are a 400 (the contract)",
    "POST /api/v1/assignments/{assignment_id}/accept/": "the two declarations must be given as true",
    "POST /api/v1/assignments/{assignment_id}/decline/": "the reason must be given",
    "POST /api/v1/experts/": "employer, domains and usernames must exist or be free; mobile and e-mail checked",
    "PATCH /api/v1/experts/{id}/": "as POST /experts/; a status move must be allowed from the current one",
    "POST /api/v1/experts/{id}/conflicts/": "the organisation must exist",
    "POST /api/v1/organizations/": "the parent must exist; credit codes are unique",
    "POST /api/v1/plans/": "the organisation and the domain codes must exist",
    "POST /api/v1/reviews/": "the plan must exist and be the caller's to review; times must be in order",
    "PATCH /api/v1/reviews/{review_id}/": "the chair must be on the panel; times must be in order",
    "POST /api/v1/reviews/{review_id}/comments/": "the section must be an anchor of the plan",
    "PUT /api/v1/reviews/{review_id}/opinion/": "score keys are the review's criteria; point ids its own points",
    "PUT /api/v1/consultations/{consultation_id}/answer/": "question ids are the consultation's questions",
    "POST /api/v1/consultations/": "the experts and domain codes must exist",
    "PATCH /api/v1/consultations/{consultation_id}/": "what may change depends on the state",
    "POST /api/v1/proposals/": "the domain codes must exist",
    "POST /api/v1/proposals/{proposal_id}/route/": "the organisations must be departments",
    "POST /api/v1/proposals/{proposal_id}/merge/": "the proposal merged into must exist and be open",
    "PUT /api/v1/points/{point_id}/response/": "a reason is required unless adopted",
    "PUT /api/v1/reviews/{review_id}/consolidation/": "the version must be the current one",
    "POST /api/v1/reviews/{review_id}/consolidation/confirmation/": "a reservation or a refusal needs a text",
    "PUT /api/v1/reviews/{review_id}/consolidation/deadline/": "the deadline must be in the future",
    "PUT /api/v1/reviews/{review_id}/discussion/": "the section must be an anchor of the plan",
    "POST /api/v1/plans/{plan_id}/versions/": "the document must be a real .docx or .pdf; drafters must exist",
    "POST /api/v1/proposals/{proposal_id}/return/": "only a routed or submitted proposal is returned",
    "POST /api/v1/reviews/{review_id}/draw/commitment/": "the round must be in the future; the pool must give a panel",
    "POST /api/v1/reviews/{review_id}/draw/": "the public value must be the committed round's (its signature checked)",
    "GET /api/v1/notices/": "the review must be named by its id: an empty ?review= names none",
    "PUT /api/v1/reviews/{review_id}/minutes/": "the version must be the current one (If-Match)",
    "POST /api/v1/reviews/{review_id}/agenda/move/": "an item of this agenda, or a step of 1 or -1, must be named",
    "PUT /api/v1/reviews/{review_id}/agenda/": "the sections must be anchors of the plan; the meeting not over",
    "POST /api/v1/reviews/{review_id}/checkin/": "the code must be the room's current one",
    "POST /api/v1/reviews/{review_id}/attendance/": "the expert must be on the panel; a reason is required",
}
# Revoking the token would sign the rest of the run out; it is fuzzed anonymously.
SIGNS_OUT = "DELETE /api/v1/auth/token/"
