"""Common free-mail domains: anyone can have an address there, so none of them admits a
whole audience; their addresses are listed one by one instead."""

FREE_MAIL = frozenset(
    [
        "126.com",
        "163.com",
        "aol.com",
        "fastmail.com",
        "free.fr",
        "gmail.com",
        "gmx.at",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "googlemail.com",
        "hey.com",
        "hotmail.co.uk",
        "hotmail.com",
        "hotmail.de",
        "hotmail.fr",
        "icloud.com",
        "inbox.com",
        "laposte.net",
        "libero.it",
        "live.co.uk",
        "live.com",
        "mac.com",
        "mail.com",
        "mail.ru",
        "me.com",
        "msn.com",
        "naver.com",
        "o2.pl",
        "orange.fr",
        "outlook.com",
        "pm.me",
        "proton.me",
        "protonmail.com",
        "qq.com",
        "rediffmail.com",
        "rocketmail.com",
        "seznam.cz",
        "t-online.de",
        "tuta.io",
        "tutanota.com",
        "web.de",
        "wp.pl",
        "yahoo.co.jp",
        "yahoo.co.uk",
        "yahoo.com",
        "yahoo.de",
        "yahoo.fr",
        "yandex.com",
        "yandex.ru",
        "ymail.com",
        "zoho.com",
    ]
)


def is_free_mail(domain: str) -> bool:
    """Whether ``domain`` (lower case, ASCII) is a free-mail domain or one of its subdomains."""
    return any(domain == d or domain.endswith("." + d) for d in FREE_MAIL)
