"""`[site]`: what a city needs on its public status page besides the status itself — the
legal pages (Impressum, Datenschutzerklärung, Barrierefreiheitserklärung with a feedback route,
BITV 2.0 § 7), the office's contact, and whether chairs' catalog edits wait for release."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.config_sections import OptionalHttpUrl


class SiteSection(BaseModel):
    """The public site: legal pages, contact, release of catalog edits."""

    model_config = ConfigDict(extra="forbid")  # like every section: an unknown key is an error

    imprint_url: OptionalHttpUrl = Field("", description="Link to the city's Impressum; '' = imprint_text on /impressum.html.")
    imprint_text: str = Field("", description="Impressum text for /impressum.html (when no imprint_url).")
    privacy_url: OptionalHttpUrl = Field("", description="Link to the Datenschutzerklärung; '' = privacy_text on /datenschutz.html.")
    privacy_text: str = Field("", description="Datenschutzerklärung text for /datenschutz.html (when no privacy_url).")
    accessibility_url: OptionalHttpUrl = Field(
        "", description="Link to an external Barrierefreiheitserklärung; '' = the built-in /barrierefreiheit.html.")
    accessibility_text: str = Field("", description="Extra text for /barrierefreiheit.html (known limitations).")
    accessibility_contact: str = Field(
        "", description="Feedback contact for accessibility problems (e-mail or phone); '' = contact_email.")
    enforcement_url: OptionalHttpUrl = Field(
        "https://www.mags.nrw/ombudsstelle-barrierefreie-informationstechnik",
        description="The state's enforcement body (Durchsetzungsverfahren, BITV 2.0 § 7).")
    compliance: Literal["full", "partial", "none"] = Field(
        "partial", description="What the statement declares (BITV 2.0 § 7): full, partial or none.")
    statement_date: str = Field("", description="Date the accessibility statement was prepared (YYYY-MM-DD); '' = not stated.")
    contact_name: str = Field("Geschäftsstelle", description="Name of the coordinating office shown as contact.")
    contact_email: str = Field("", description="E-mail address of the office shown on every page ('' = none).")
    contact_phone: str = Field("", description="Phone number of the office ('' = none).")
    contact_address: str = Field("", description="Postal address of the office ('' = none).")
    chair_edits_need_release: bool = Field(
        True, description="A chair's edit of title, description or time target waits in `freigabe` before it is public.")

    def missing(self) -> list[str]:
        """What a German public body's site must have and this configuration lacks (site2 F5):
        said at start and by `check-config`, so no city publishes without it unnoticed."""
        lacking = []
        if not (self.imprint_url or self.imprint_text.strip()):
            lacking.append("Impressum (imprint_url oder imprint_text)")
        if not (self.privacy_url or self.privacy_text.strip()):
            lacking.append("Datenschutzerklärung (privacy_url oder privacy_text)")
        if not (self.accessibility_contact.strip() or self.contact_email.strip() or self.contact_phone.strip()
                or self.contact_address.strip()):
            lacking.append("Kontakt für Rückmeldungen (contact_email, contact_phone, contact_address oder "
                           "accessibility_contact)")
        return lacking
