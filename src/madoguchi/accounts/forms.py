from django_otp.forms import OTPAuthenticationForm


class StaffLoginForm(OTPAuthenticationForm):
    """Username + password, and a TOTP code for staff who have set up a second factor."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for name in ("otp_device", "otp_challenge"):
            self.fields.pop(name, None)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "mg-input")
