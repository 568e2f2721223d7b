"""X12 finding codes: what the EDI loader reports beside the data it loaded.

A finding does not stop a run: it lands in the run's findings (`recon edi inspect`, the report)
with its file, interchange, group, set, segment position and element. The message is built where
the finding is made; the entry says what the code means and what recon did about it. A row is
(code, name, title, template, what it means, hint, severity); findings have no template.
"""

from __future__ import annotations

from recon.problems.entry import Area, area

FILES = area(
    "X12", "X12 files",
    "Whether a file is X12 at all. A file with one of these errors loads nothing.",
    "error",
    ("X12-FILE-UNREADABLE", "x12-file-unreadable", "File cannot be opened", None,
     "The file is missing, a directory, or not readable; it is skipped."),
    ("X12-FILE-TOO-LARGE", "x12-file-too-large", "File over the size limit", None,
     "The file is larger than `x12.max_file_mb` (default 1024); it is refused unread, since a file is decoded "
     "whole before it is cut into interchanges. Split it at interchange boundaries or raise the limit."),
    ("X12-FILE-EMPTY", "x12-file-empty", "Empty file", None, "The file is empty or blank; it is skipped."),
    ("X12-NOT-X12", "x12-not-x12", "Not X12", None,
     "Neither an ISA nor a GS segment anywhere in the file; it is skipped."),
    ("X12-EDIFACT-UNSUPPORTED", "x12-edifact-unsupported", "EDIFACT file", None,
     "The file starts with UNA/UNB (an EDIFACT interchange); only ANSI X12 is parsed, nothing is loaded."),
    ("X12-LEADING-DATA", "x12-leading-data", "Text before the first ISA", None,
     "Characters before the first ISA (a mail header, a BOM left over, ...) were ignored.", None, "warning"),
)

ENVELOPE = area(
    "X12", "X12 envelopes (ISA/IEA, GS/GE, ST/SE)",
    "Interchange, group and set envelopes are checked against their trailers' counts and control numbers.",
    "error",
    ("X12-ISA-UNREADABLE", "x12-isa-unreadable", "ISA cannot be read", None,
     "The ISA header cannot be read (too few elements, a version that is not five digits); its sets are read "
     "with the delimiters found around the first GS after it, or skipped when there is no GS. A file with a "
     "GS but no ISA, whose segment terminator cannot be told from the GS (cut off after GS08), is X12 with "
     "this error (exit 1), not a foreign file."),
    ("X12-ISA-DAMAGED", "x12-isa-damaged", "ISA tag damaged", None,
     "The interchange header's tag is not 'ISA' (`SA*00*...`) but its elements are there; it is read as the "
     "ISA and its sets are loaded."),
    ("X12-ISA-MISSING", "x12-isa-missing", "No ISA before a group", None,
     "A GS with no ISA before it (at the start of the file or after an IEA): the delimiters are taken from "
     "the GS, the interchange control number is unknown, the sets are loaded."),
    ("X12-ISA-LENGTH", "x12-isa-length", "ISA not 106 characters", None,
     "The ISA is not 106 characters/bytes (padding, non-ASCII); its delimiters were read by counting "
     "element separators.", None, "warning"),
    ("X12-ISA13-INVALID", "x12-isa13-invalid", "ISA13 not numeric", None,
     "The interchange control number is not numeric; the interchange is loaded.", None, "warning"),
    ("X12-ISA16-INVALID", "x12-isa16-invalid", "Bad component separator", None,
     "ISA16, the component separator, is a letter, digit or space; the interchange is loaded.", None, "warning"),
    ("X12-IEA-MISSING", "x12-iea-missing", "No IEA trailer", None,
     "The interchange has no IEA (a truncated file?); its complete sets were still loaded."),
    ("X12-IEA01-COUNT", "x12-iea01-count", "IEA01 count wrong", None,
     "IEA01 does not equal the number of functional groups; the sets are loaded."),
    ("X12-IEA02-MISMATCH", "x12-iea02-mismatch", "IEA02 does not match ISA13", None,
     "The IEA control number differs from the ISA's; the sets are loaded."),
    ("X12-GE-MISSING", "x12-ge-missing", "No GE trailer", None,
     "A functional group has no GE trailer; its complete sets were loaded."),
    ("X12-GE-UNEXPECTED", "x12-ge-unexpected", "GE without GS", None, "A GE trailer has no matching GS header."),
    ("X12-GE01-COUNT", "x12-ge01-count", "GE01 count wrong", None,
     "GE01 does not equal the number of transaction sets in the group; the sets are loaded."),
    ("X12-GE02-MISMATCH", "x12-ge02-mismatch", "GE02 does not match GS06", None,
     "The GE control number differs from the GS's; the sets are loaded."),
    ("X12-GS06-MISSING", "x12-gs06-missing", "Empty group control number", None,
     "GS06 is empty; the sets are loaded."),
    ("X12-GS01-MISMATCH", "x12-gs01-mismatch", "Set in a group of the wrong kind", None,
     "GS01 (functional identifier) is not the group of the set's ST01 (an 850 in an IN group: PO 850, PR 855, "
     "SH 856, IN 810, FA 997/999, OW 940, SW 945, IB 846, QM 214, AN 180...); reported once per group and set "
     "type, the sets are loaded."),
    ("X12-GS-MISSING", "x12-gs-missing", "Set outside a group", None,
     "A transaction set is not inside a GS..GE functional group; the set is rejected."),
    ("X12-SE-MISSING", "x12-se-missing", "No SE trailer", None,
     "A transaction set has no SE (cut short by the next ST, GE, IEA or the end of the file); the set is rejected."),
    ("X12-SE-UNEXPECTED", "x12-se-unexpected", "SE without ST", None, "An SE trailer has no matching ST header."),
    ("X12-SE01-COUNT", "x12-se01-count", "SE01 count wrong", None,
     "SE01 does not equal the number of segments from ST to SE; the set is rejected."),
    ("X12-SE02-MISMATCH", "x12-se02-mismatch", "SE02 does not match ST02", None,
     "The SE control number differs from the ST's; the set is rejected."),
    ("X12-ST01-MISSING", "x12-st01-missing", "Empty transaction set id", None,
     "ST01 (the transaction set identifier, 850, 856, ...) is empty; the set is rejected."),
    ("X12-ST02-MISSING", "x12-st02-missing", "Empty set control number", None,
     "ST02 is empty; the set is rejected."),
    ("X12-ISA13-DUPLICATE", "x12-isa13-duplicate", "Interchange control number reused", None,
     "The same sender, receiver and ISA13 were seen before (in this or another file); loaded again.",
     None, "warning"),
    ("X12-GS06-DUPLICATE", "x12-gs06-duplicate", "Group control number reused", None,
     "The same GS sender, receiver and GS06 were seen before; loaded again.", None, "warning"),
    ("X12-ST02-DUPLICATE", "x12-st02-duplicate", "Set control number reused", None,
     "An ST02 is used twice in one group; both sets are loaded.", None, "warning"),
    ("X12-SEGMENT-OUTSIDE-SET", "x12-segment-outside-set", "Segments between sets", None,
     "Segments outside any ST..SE transaction set were ignored.", None, "warning"),
    ("X12-DATA-AFTER-IEA", "x12-data-after-iea", "Segments after IEA", None,
     "Segments after the IEA trailer were ignored.", None, "warning"),
    ("X12-SEGMENT-MISPLACED", "x12-segment-misplaced", "Interchange segment inside a group", None,
     "An ISB, ISE or TA1 inside a functional group was ignored.", None, "warning"),
)

CONTENT = area(
    "X12", "X12 transaction set content",
    "What the mappers found inside a transaction set while mapping it onto the canonical entities.",
    "warning",
    ("X12-MISSING-SEGMENT", "x12-missing-segment", "Beginning segment missing", None,
     "The set's beginning segment (BEG, W05, BAK, BSN, W06, BIG, AK1, BIA, B10, BGN) is missing; "
     "the set is rejected.", None, "error"),
    ("X12-MISSING-ELEMENT", "x12-missing-element", "Business key empty", None,
     "The element holding the set's business key (BEG03, W0502, BAK03, BSN02, W0604, BIG02, AK102, B1002, "
     "BGN02) is empty; the set is rejected.", None, "error"),
    ("X12-ELEMENT-NUMERIC", "x12-element-numeric", "Not a number", None,
     "A quantity, price or amount is not a number; it is kept as sent."),
    ("X12-ELEMENT-DATE", "x12-element-date", "Not a date", None,
     "A date (in a set, or ISA09/GS04 of an envelope) is not a valid CCYYMMDD/YYMMDD date; it is left empty."),
    ("X12-ELEMENT-TIME", "x12-element-time", "Not a time", None,
     "A time (DTM03, BSN04, G6204, AT706, ISA10, GS05...) is not HHMM[SS]; the date is kept without a time."),
    ("X12-MANDATORY-EMPTY", "x12-mandatory-empty", "Mandatory element empty", None,
     "A mandatory element of the set's beginning segment (BEG01/02/05, BAK01/02/04, BSN01/03/04, BIG01, W0501, "
     "W0601, BIA01-04, B1001/03, BGN01/03, AK101) or of a body segment of a mapped set (N101, DTM01, REF01, "
     "CTT01, ACK01, HL01/03, LIN02/03, SN102/03, PRF01, MAN01/02, PID01, TDS01, SAC01, W0101/02, W1201, QTY01, "
     "AK201/02, AK501, AK901-04; the 004010 dictionary) is empty; the set is loaded."),
    ("X12-ELEMENT-INVALID", "x12-element-invalid", "Invalid code in an acknowledgment", None,
     "A 997/999 element (AK101, AK102, AK201, AK402, AK501, AK901) holds an invalid code; it is kept."),
    ("X12-PAIR-INCOMPLETE", "x12-pair-incomplete", "Qualifier without its id", None,
     "A product id qualifier without its id, or the reverse; that pair is ignored."),
    ("X12-QUALIFIER-MISSING", "x12-qualifier-missing", "Reference without qualifier", None,
     "A 940 N9 reference has no qualifier; it is ignored."),
    ("X12-AK9-MISSING", "x12-ak9-missing", "No AK9 trailer", None,
     "A 997/999 has no AK9 group response trailer; it is loaded without the group status."),
    ("X12-CTT-COUNT", "x12-ctt-count", "CTT01 count wrong", None,
     "CTT01 does not equal the number of PO1/IT1 line items; the set is loaded."),
    ("X12-HL-PARENT", "x12-hl-parent", "HL parent unknown", None,
     "An 856 HL names a parent that does not precede it; the level is attached to the shipment."),
    ("X12-SEPARATOR-IN-VALUE", "x12-separator-in-value", "Separator inside a simple element", None,
     "A component or repetition separator appears inside an element that is neither; the value is kept whole."),
    ("X12-SET-NOT-MAPPED", "x12-set-not-mapped", "Transaction set not mapped", None,
     "The file holds sets of a type recon does not map (210, 860, ...); they are listed in edi_documents only. "
     "Informational: on its own it leaves `recon edi inspect`'s exit code 0."),
    ("X12-INTERNAL-ERROR", "x12-internal-error", "Mapper failed", None,
     "A mapper failed on this set (a bug in recon); the set is rejected. Please report it with the file.",
     None, "error"),
)

AREAS: tuple[Area, ...] = (FILES, ENVELOPE, CONTENT)
