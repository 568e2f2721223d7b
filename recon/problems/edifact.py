"""EDIFACT finding codes: what the EDI loader reports about UN/EDIFACT interchanges.

Like the X12 findings (`recon.problems.x12`), they do not stop a run: each names its file,
interchange (UNB 0020), group (UNG 0048), message (UNH 0062), segment position and element.
File-level problems (unreadable, empty, too large) are the X12-FILE-* codes, shared by both.
"""

from __future__ import annotations

from recon.problems.entry import Area, area

SYNTAX = area(
    "EDIFACT", "EDIFACT syntax (UNA, UNB, character sets)",
    "How the file's separators and characters were read.",
    "error",
    ("EDIFACT-UNA-INVALID", "edifact-una-invalid", "Unusable UNA", None,
     "The service string advice is cut short, repeats a service character, uses a letter or digit, or gives a "
     "decimal mark other than '.' or ','; the default separators (: + . ? ') are used."),
    ("EDIFACT-UNA-MISMATCH", "edifact-una-mismatch", "A later UNA declares other separators", None,
     "A file is read with the separators of its first UNA (or the defaults); a UNA before a later interchange "
     "that declares other service characters is not obeyed, so that interchange may be misread: send it in a "
     "file of its own."),
    ("EDIFACT-UNB-INVALID", "edifact-unb-invalid", "UNB unreadable", None,
     "No syntax identifier (UNB S001), a syntax version other than 1-4 (warning, read as version 4), or an "
     "empty interchange control reference (UNB 0020)."),
    ("EDIFACT-CHARSET", "edifact-charset", "Characters outside the declared character set", None,
     "The bytes do not fit the syntax identifier's character set (UNOA/UNOB ASCII, UNOC ISO 8859-1, UNOE ISO "
     "8859-5, UNOW/UNOY UTF-8 ...), or the identifier is unknown: the file was read as UTF-8 (else Latin-1).",
     None, "warning"),
)

ENVELOPE = area(
    "EDIFACT", "EDIFACT envelopes (UNB/UNZ, UNG/UNE, UNH/UNT)",
    "Interchanges, groups and messages are checked against their trailers' counts and references; duplicate "
    "references are found within a file and across the run's files.",
    "error",
    ("EDIFACT-UNB-MISSING", "edifact-unb-missing", "Messages without UNB", None,
     "Groups or messages with no UNB before them; they are loaded without an interchange reference."),
    ("EDIFACT-UNZ-MISSING", "edifact-unz-missing", "Truncated interchange", None,
     "An interchange has no UNZ (the file ends, or the next UNB starts); its complete messages were loaded."),
    ("EDIFACT-UNZ-UNEXPECTED", "edifact-unz-unexpected", "UNZ without UNB", None,
     "A UNZ trailer has no UNB header before it."),
    ("EDIFACT-UNZ-COUNT", "edifact-unz-count", "UNZ count wrong", None,
     "UNZ 0036 is not the number of groups (or, without groups, messages) in the interchange; loaded."),
    ("EDIFACT-UNZ-REFERENCE", "edifact-unz-reference", "UNZ reference differs", None,
     "UNZ 0020 does not match UNB 0020; the messages are loaded."),
    ("EDIFACT-UNG-INVALID", "edifact-ung-invalid", "Empty group reference", None,
     "UNG 0048 is empty; the messages are loaded."),
    ("EDIFACT-UNE-MISSING", "edifact-une-missing", "No UNE trailer", None,
     "A group has no UNE; its complete messages were loaded."),
    ("EDIFACT-UNE-UNEXPECTED", "edifact-une-unexpected", "UNE without UNG", None,
     "A UNE trailer has no UNG header before it."),
    ("EDIFACT-UNE-COUNT", "edifact-une-count", "UNE count wrong", None,
     "UNE 0060 is not the number of messages in the group; they are loaded."),
    ("EDIFACT-UNE-REFERENCE", "edifact-une-reference", "UNE reference differs", None,
     "UNE 0048 does not match UNG 0048; the messages are loaded."),
    ("EDIFACT-UNH-INVALID", "edifact-unh-invalid", "Message header unusable", None,
     "UNH 0062 (message reference) or 0065 (message type) is empty; the message is rejected."),
    ("EDIFACT-UNT-MISSING", "edifact-unt-missing", "No UNT trailer", None,
     "A message has no UNT (cut short by the next UNH, a UNE/UNZ/UNB or the end of the file); it is rejected."),
    ("EDIFACT-UNT-UNEXPECTED", "edifact-unt-unexpected", "UNT without UNH", None,
     "A UNT trailer has no UNH before it; the segment is rejected."),
    ("EDIFACT-UNT-COUNT", "edifact-unt-count", "UNT segment count wrong", None,
     "UNT 0074 is not the number of segments from UNH to UNT; the message is rejected."),
    ("EDIFACT-UNT-REFERENCE", "edifact-unt-reference", "UNT reference differs", None,
     "UNT 0062 does not match UNH 0062; the message is rejected."),
    ("EDIFACT-MESSAGE-NOT-IN-GROUP", "edifact-message-not-in-group", "Message type not allowed in its group", None,
     "A message's type (UNH 0065) is not the one its group carries (UNG 0038); the message is loaded."),
    ("EDIFACT-STRAY-SEGMENT", "edifact-stray-segment", "Segment outside any message", None,
     "A segment that is neither an envelope segment nor inside UNH..UNT; it is rejected."),
    ("EDIFACT-DUPLICATE-INTERCHANGE", "edifact-duplicate-interchange", "Interchange reference reused", None,
     "The same sender, recipient and UNB 0020 were seen before (in this or another file); loaded again.",
     None, "warning"),
    ("EDIFACT-DUPLICATE-GROUP", "edifact-duplicate-group", "Group reference reused", None,
     "The same application sender, recipient and UNG 0048 were seen before; loaded again.", None, "warning"),
    ("EDIFACT-DUPLICATE-MESSAGE", "edifact-duplicate-message", "Message reference reused", None,
     "A UNH 0062 is used twice in one interchange; both messages are loaded.", None, "warning"),
)

CONTENT = area(
    "EDIFACT", "EDIFACT message content",
    "What the mappers found inside a message while mapping it onto the canonical entities.",
    "warning",
    ("EDIFACT-MISSING-SEGMENT", "edifact-missing-segment", "Beginning segment missing", None,
     "The message's BGM (CONTRL: UCI) is missing; the message is rejected.", None, "error"),
    ("EDIFACT-MISSING-ELEMENT", "edifact-missing-element", "Business key empty", None,
     "The element holding the message's key (BGM 1004; ORDRSP: RFF+ON; CONTRL: UCI 0020) is empty or absent; "
     "the message is rejected.", None, "error"),
    ("EDIFACT-ELEMENT-NUMERIC", "edifact-element-numeric", "Not a number", None,
     "A quantity, price or amount is not a number; it is kept as sent."),
    ("EDIFACT-ELEMENT-DATE", "edifact-element-date", "Not a date", None,
     "A DTM value does not fit its format (102, 203, 101, 718 ...), or a UNB date is not valid; it is left empty."),
    ("EDIFACT-CNT-COUNT", "edifact-cnt-count", "CNT line count wrong", None,
     "CNT+2 does not equal the number of LIN line items; the message is loaded."),
    ("EDIFACT-CONTRL-GROUPS", "edifact-contrl-groups", "CONTRL answers several groups", None,
     "A CONTRL with more than one UCF: its message rows carry the first group's reference."),
    ("EDIFACT-DIRECTORY-UNSUPPORTED", "edifact-directory-unsupported", "Directory outside D.93A-D.01B", None,
     "The message's directory (UNH S009) is not one recon follows; it is mapped with the D.93A-D.01B segments."),
    ("EDIFACT-MESSAGE-NOT-MAPPED", "edifact-message-not-mapped", "Message type not mapped", None,
     "The file holds messages recon does not map (IFTSTA, PRICAT ...); they are listed in edi_documents only. "
     "Informational: on its own it leaves `recon edi inspect`'s exit code 0."),
    ("EDIFACT-INTERNAL-ERROR", "edifact-internal-error", "Mapper failed", None,
     "A mapper failed on this message (a bug in recon); the message is rejected. Please report it with the file.",
     None, "error"),
)

AREAS: tuple[Area, ...] = (SYNTAX, ENVELOPE, CONTENT)
