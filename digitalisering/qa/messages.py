"""What the QA findings say, in Dutch (the default) and English. A finding carries a message code and
its values; the report and the review page render it in the reader's language."""

from __future__ import annotations

LANGS = ("nl", "en")

CHECK_LABELS: dict[str, dict[str, str]] = {
    "processing": {"nl": "Verwerking", "en": "Processing"},
    "resolution": {"nl": "Resolutie (Metamorfoze)", "en": "Resolution (Metamorfoze)"},
    "stated_resolution": {"nl": "Opgegeven resolutie", "en": "Stated resolution"},
    "colour_mode": {"nl": "Kleurmodus en bitdiepte", "en": "Colour mode and bit depth"},
    "skew": {"nl": "Resterende scheefstand", "en": "Residual skew"},
    "orientation": {"nl": "Oriëntatie", "en": "Orientation"},
    "ocr": {"nl": "OCR-kwaliteit", "en": "OCR quality"},
    "completeness": {"nl": "Volledigheid van de tekst", "en": "Text completeness"},
    "blank": {"nl": "Lege pagina", "en": "Blank page"},
    "separator": {"nl": "Scheidingsblad", "en": "Separator sheet"},
    "pdfa": {"nl": "PDF/A-geldigheid en fixiteit", "en": "PDF/A validity and fixity"},
    "alto": {"nl": "ALTO per pagina: geldigheid en fixiteit", "en": "ALTO per page: validity and fixity"},
    "mdto": {"nl": "MDTO-geldigheid", "en": "MDTO validity"},
    "address": {"nl": "Adres gekoppeld aan de BAG", "en": "Address linked to the BAG"},
    "split": {"nl": "Documentgrens en -soort", "en": "Document boundary and type"},
    "page_count": {"nl": "Aantal pagina's volgens manifest", "en": "Page count against the manifest"},
}

MESSAGES: dict[str, dict[str, str]] = {
    "failed": {"nl": "niet verwerkt: {error}", "en": "not processed: {error}"},
    "pending": {"nl": "nog niet verwerkt (draai de batch opnieuw)", "en": "not processed yet (run the batch again)"},
    "rescan": {"nl": "afgekeurd, wacht op herscan", "en": "rejected, waiting for a rescan"},
    "processed": {"nl": "verwerkt", "en": "processed"},
    "separator": {"nl": "scheidingsblad {value}", "en": "separator sheet {value}"},
    "dpi_stated": {"nl": "{dpi:g} ppi opgegeven, past bij een {size} pagina",
                   "en": "{dpi:g} ppi stated, consistent with a {size} page"},
    "dpi_inferred": {"nl": "opgegeven resolutie niet bruikbaar ({stated}); {dpi:g} ppi aangenomen (maakt de pagina {size})",
                     "en": "stated resolution not usable ({stated}); {dpi:g} ppi used (makes the page {size})"},
    "dpi_assumed": {"nl": "resolutie onbekend; {dpi:g} ppi aangenomen", "en": "resolution unknown; assumed {dpi:g} ppi"},
    "resolution_pass": {"nl": "{dpi:g} ppi, minstens {required} ppi vereist voor {size}",
                        "en": "{dpi:g} ppi, at least {required} ppi required for {size}"},
    "resolution_warn": {"nl": "{dpi:g} ppi, net onder de {required} ppi vereist voor {size}",
                        "en": "{dpi:g} ppi, just below the {required} ppi required for {size}"},
    "resolution_fail": {"nl": "{dpi:g} ppi, minder dan de {required} ppi vereist voor {size}",
                        "en": "{dpi:g} ppi, less than the {required} ppi required for {size}"},
    "colour_bitonal": {"nl": "zwart-wit (1 bit): goed voor getypte tekst, verliest potlood, stempels en vage schrift",
                       "en": "bitonal (1 bit): fine for typed text, loses pencil, stamps and faint writing"},
    "colour_ok": {"nl": "{mode}, {bits} bits per kanaal", "en": "{mode}, {bits} bits per sample"},
    "blank": {"nl": "lege pagina, niet in de PDF: bevestig dat hij leeg is",
              "en": "blank page, left out of the PDF: confirm it is empty"},
    "skew_unmeasured": {"nl": "geen scheefstand meetbaar (te weinig tekst of lijnen)",
                        "en": "no skew could be measured (too little text or lines)"},
    "skew": {"nl": "gemeten {skew:+.2f}°, {residual:.2f}° over", "en": "measured {skew:+.2f}°, {residual:.2f}° left"},
    "skew_uncertain": {"nl": "gemeten {skew:+.2f}°, {residual:.2f}° over; meting onzeker (betrouwbaarheid {conf:.2f})",
                       "en": "measured {skew:+.2f}°, {residual:.2f}° left; measurement uncertain (confidence {conf:.2f})"},
    "orientation": {"nl": "{turn}° gedraaid, betrouwbaarheid {conf:.2f}", "en": "turned {turn}°, confidence {conf:.2f}"},
    "orientation_uncertain": {"nl": "oriëntatie {turn}° onzeker (betrouwbaarheid {conf:.2f})",
                              "en": "orientation {turn}° uncertain (confidence {conf:.2f})"},
    "text_missing": {"nl": "{pct:.0f}% van de tekst op de pagina is niet gelezen ({regions} gebied(en), "
                             "gemarkeerd op de afbeelding)",
                     "en": "{pct:.0f}% of the text on the page was not read ({regions} region(s), marked on the image)"},
    "text_complete": {"nl": "alle tekst gelezen ({pct:.0f}% niet gedekt)",
                      "en": "all text read ({pct:.0f}% not covered)"},
    "ocr_missing": {"nl": "geen OCR-resultaat", "en": "no OCR result"},
    "ocr_timeout": {"nl": "OCR duurde te lang: de pagina heeft geen tekstlaag",
                    "en": "OCR timed out: the page has no text layer"},
    "ocr_empty": {"nl": "geen tekst herkend: een tekening of foto?", "en": "no text recognised: a drawing or photo?"},
    "ocr": {"nl": "gemiddelde woordbetrouwbaarheid {conf:.0f}, {chars} tekens",
            "en": "mean word confidence {conf:.0f}, {chars} characters"},
    "ocr_reduced": {"nl": "gemiddelde woordbetrouwbaarheid {conf:.0f}, {chars} tekens (gelezen op lagere resolutie)",
                    "en": "mean word confidence {conf:.0f}, {chars} characters (read at reduced resolution)"},
    "pdf_missing": {"nl": "{path} ontbreekt", "en": "{path} is missing"},
    "pdf_changed": {"nl": "{path} is gewijzigd sinds het schrijven (SHA-256 wijkt af)",
                    "en": "{path} changed since it was written (SHA-256 differs)"},
    "pdf_valid": {"nl": "{format}: {n} controles geslaagd, SHA-256 klopt",
                  "en": "{format}: {n} checks passed, SHA-256 matches"},
    "pdf_invalid": {"nl": "geen geldige {format}: {detail}", "en": "not valid {format}: {detail}"},
    "alto_valid": {"nl": "{n} ALTO-bestanden geldig (ALTO 4.4), SHA-256 klopt",
                   "en": "{n} ALTO files valid (ALTO 4.4), SHA-256 matches"},
    "alto_none": {"nl": "geen ALTO-bestanden (uitvoer van een eerdere versie: draai de batch opnieuw)",
                  "en": "no ALTO files (output of an earlier version: run the batch again)"},
    "alto_missing": {"nl": "{path} ontbreekt", "en": "{path} is missing"},
    "alto_changed": {"nl": "{path} is gewijzigd sinds het schrijven (SHA-256 wijkt af)",
                     "en": "{path} changed since it was written (SHA-256 differs)"},
    "alto_invalid": {"nl": "{path} is geen geldige ALTO 4.4: {detail}", "en": "{path} is not valid ALTO 4.4: {detail}"},
    "mdto_dossier": {"nl": "dossierrecord geldig (MDTO 1.0.1)", "en": "dossier record valid (MDTO 1.0.1)"},
    "mdto_document": {"nl": "document- en bestandsrecord geldig (MDTO 1.0.1)",
                      "en": "document and file records valid (MDTO 1.0.1)"},
    "mdto_invalid": {"nl": "MDTO-record ongeldig: {detail}", "en": "MDTO record invalid: {detail}"},
    "address_linked": {"nl": "{n} gekoppeld: {names}", "en": "{n} linked: {names}"},
    "address_unlinked": {"nl": "{n} adres(sen) gevonden, geen gekoppeld aan de BAG",
                         "en": "{n} address(es) found, none linked to the BAG"},
    "split_sure": {"nl": "grens en soort {type} zeker genoeg", "en": "boundary and type {type} sure enough"},
    "split_review": {"nl": "te controleren: {what} (soort {type}, zekerheid {confidence})",
                     "en": "to check: {what} (type {type}, confidence {confidence})"},
    "address_none": {"nl": "geen adres gevonden in de tekst", "en": "no address found in the text"},
    "manifest_unreadable": {"nl": "manifest onleesbaar: {detail}", "en": "manifest unreadable: {detail}"},
    "manifest_absent_dossier": {"nl": "staat niet in het manifest", "en": "not in the manifest"},
    "page_count": {"nl": "{counted} pagina's gescand, manifest zegt {expected}",
                   "en": "{counted} pages scanned, manifest says {expected}"},
    "manifest_not_delivered": {"nl": "in het manifest ({expected} pagina's) maar niet geleverd",
                               "en": "in the manifest ({expected} pages) but not delivered"},
}


WORDS = {"nl": {"grey": "grijs", "colour": "kleur", "bitonal": "zwart-wit"}}


def render(code: str, values: dict, lang: str = "nl") -> str:
    template = MESSAGES[code].get(lang) or MESSAGES[code]["nl"]
    words = WORDS.get(lang, {})
    return template.format(**{k: words.get(v, v) if isinstance(v, str) else v for k, v in values.items()})


def check_label(check: str, lang: str = "nl") -> str:
    return CHECK_LABELS[check].get(lang, check)

UI: dict[str, dict[str, str]] = {
    "report_title": {"nl": "Kwaliteitsrapport", "en": "Quality report"},
    "review_title": {"nl": "Beoordeling", "en": "Review"},
    "batch": {"nl": "Batch", "en": "Batch"},
    "delivery": {"nl": "Levering", "en": "Delivery"},
    "generated": {"nl": "Gemaakt", "en": "Generated"},
    "by": {"nl": "door", "en": "by"},
    "summary": {"nl": "Samenvatting", "en": "Summary"},
    "pages": {"nl": "Pagina's", "en": "Pages"},
    "dossiers": {"nl": "Dossiers", "en": "Dossiers"},
    "documents": {"nl": "Documenten", "en": "Documents"},
    "lot": {"nl": "Partij (pagina's zonder scheidingsbladen)", "en": "Lot (pages without separator sheets)"},
    "plan": {"nl": "Steekproefplan", "en": "Sampling plan"},
    "plan_text": {"nl": "ISO 2859-1, enkelvoudig, normale keuring, keuringsniveau {level}, AQL {aql}: "
                        "codeletter {code_letter}, steekproef {sample_size}, Ac {acceptance}, Re {rejection}",
                  "en": "ISO 2859-1, single sampling, normal inspection, inspection level {level}, AQL {aql}: "
                        "code letter {code_letter}, sample {sample_size}, Ac {acceptance}, Re {rejection}"},
    "full_inspection": {"nl": "steekproef = hele partij: alle pagina's worden beoordeeld",
                        "en": "sample = whole lot: every page is reviewed"},
    "seed": {"nl": "Startgetal (seed) van de trekking", "en": "Seed of the draw"},
    "drawn": {"nl": "getrokken", "en": "drawn"},
    "verdict": {"nl": "Oordeel over de partij", "en": "Verdict on the lot"},
    "verdict_open": {"nl": "Nog niet beslist: {reviewed} van {sample_size} steekproefpagina's beoordeeld, "
                           "{rejected} afgekeurd (Ac {acceptance}, Re {rejection})",
                     "en": "Not decided yet: {reviewed} of {sample_size} sample pages reviewed, "
                           "{rejected} rejected (Ac {acceptance}, Re {rejection})"},
    "verdict_accepted": {"nl": "Goedgekeurd: {rejected} afgekeurd in de steekproef van {sample_size} (Ac {acceptance})",
                         "en": "Accepted: {rejected} rejected in the sample of {sample_size} (Ac {acceptance})"},
    "verdict_not_accepted": {"nl": "Afgekeurd: {rejected} afgekeurd in de steekproef (Re {rejection})",
                             "en": "Not accepted: {rejected} rejected in the sample (Re {rejection})"},
    "checks": {"nl": "Automatische controles", "en": "Automated checks"},
    "check": {"nl": "Controle", "en": "Check"},
    "pass": {"nl": "in orde", "en": "pass"},
    "warn": {"nl": "waarschuwing", "en": "warning"},
    "fail": {"nl": "fout", "en": "fail"},
    "problems": {"nl": "Fouten en waarschuwingen", "en": "Failures and warnings"},
    "no_problems": {"nl": "Geen fouten of waarschuwingen.", "en": "No failures or warnings."},
    "sample": {"nl": "Steekproef", "en": "Sample"},
    "extra": {"nl": "Altijd beoordeeld (buiten de steekproef)", "en": "Always reviewed (besides the sample)"},
    "extra_text": {"nl": "Pagina's met een fout, lege pagina's en eerder herscande pagina's.",
                   "en": "Pages that failed a check, blank pages and pages rescanned before."},
    "page": {"nl": "Pagina", "en": "Page"},
    "source": {"nl": "Bronbestand", "en": "Source file"},
    "dossier": {"nl": "Dossier", "en": "Dossier"},
    "document": {"nl": "Document", "en": "Document"},
    "type": {"nl": "Soort", "en": "Type"},
    "status": {"nl": "Status", "en": "Status"},
    "message": {"nl": "Bevinding", "en": "Finding"},
    "unread_region": {"nl": "tekst die de OCR niet heeft gelezen", "en": "text that OCR did not read"},
    "ocr_text": {"nl": "Herkende tekst (OCR)", "en": "Recognised text (OCR)"},
    "no_text": {"nl": "(geen tekst herkend)", "en": "(no text recognised)"},
    "metadata": {"nl": "Gegevens", "en": "Metadata"},
    "decision": {"nl": "Beoordeling", "en": "Decision"},
    "approved": {"nl": "goedgekeurd", "en": "approved"},
    "rejected": {"nl": "afgekeurd", "en": "rejected"},
    "not_reviewed": {"nl": "nog niet beoordeeld", "en": "not reviewed yet"},
    "approve": {"nl": "Goedkeuren", "en": "Approve"},
    "reject": {"nl": "Afkeuren", "en": "Reject"},
    "reason": {"nl": "Reden van afkeuring", "en": "Reason for rejection"},
    "reason_placeholder": {"nl": "bijv. pagina onleesbaar, scheef, afgesneden", "en": "e.g. unreadable, skewed, cut off"},
    "reviewer": {"nl": "Beoordelaar", "en": "Reviewer"},
    "history": {"nl": "Eerdere beoordelingen", "en": "Earlier decisions"},
    "rescan": {"nl": "Herscanlijst", "en": "Rescan list"},
    "rescan_count": {"nl": "{n} pagina('s) op de herscanlijst", "en": "{n} page(s) on the rescan list"},
    "download_csv": {"nl": "CSV downloaden", "en": "Download CSV"},
    "defects_csv": {"nl": "Alle bevindingen als CSV", "en": "All findings as CSV"},
    "next": {"nl": "Volgende", "en": "Next"},
    "previous": {"nl": "Vorige", "en": "Previous"},
    "overview": {"nl": "Overzicht", "en": "Overview"},
    "orientation": {"nl": "Oriëntatie", "en": "Orientation"},
    "skew": {"nl": "Scheefstand", "en": "Skew"},
    "resolution": {"nl": "Resolutie", "en": "Resolution"},
    "size_class": {"nl": "Formaat", "en": "Size"},
    "ocr_conf": {"nl": "OCR-betrouwbaarheid", "en": "OCR confidence"},
    "in_sample": {"nl": "in de steekproef", "en": "in the sample"},
    "why_extra": {"nl": "extra, want", "en": "extra, because"},
    "redelivered": {"nl": "opnieuw geleverd na herscan", "en": "re-delivered after a rescan"},
    "read_only": {"nl": "Alleen een archivaris of beheerder kan pagina's goed- of afkeuren.",
                  "en": "Only an archivist or administrator can approve or reject pages."},
    "error_reason": {"nl": "Geef een reden op bij afkeuren.", "en": "Give a reason when rejecting."},
    "error_title": {"nl": "Geweigerd", "en": "Refused"},
    "error_host": {"nl": "Onbekend adres: open de beoordelingspagina via het adres dat "
                         "'digitalisering qa review' toont.",
                   "en": "Unknown address: open the review page at the address "
                         "'digitalisering qa review' shows."},
    "error_origin": {"nl": "Geweigerd: dit verzoek kwam niet van de beoordelingspagina zelf. Er is niets opgeslagen.",
                     "en": "Refused: this request did not come from the review page itself. Nothing was stored."},
    "error_csrf": {"nl": "Niet opgeslagen: het formulier was verlopen of kwam niet van deze pagina "
                         "(bijvoorbeeld na een herstart van de beoordelingspagina). Beoordeel de pagina opnieuw.",
                   "en": "Not stored: the form had expired or did not come from this page "
                         "(for instance after the review page was restarted). Judge the page again."},
}


def ui(key: str, lang: str = "nl", **values: object) -> str:
    text = UI[key].get(lang) or UI[key]["nl"]
    return text.format(**values) if values else text
