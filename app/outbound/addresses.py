"""Which IP addresses an outbound request may reach: pure checks, no I/O."""

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo), which is where it goes."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def address_problem(address: str | IPAddress) -> str | None:
    """Why ``address`` is not a public internet address (a short phrase), or None if it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return "a scoped (link-local) address"
        inner = _embedded_ipv4(ip)
        if inner is not None:
            problem = address_problem(inner)
            return f"{problem} (inside an IPv6 address)" if problem else None
    checks = [
        ("is_unspecified", "an unspecified address"),
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_reserved", "a reserved address"),
        ("is_private", "a private address"),
    ]
    for attribute, reason in checks:
        if getattr(ip, attribute, False):
            return reason
    if getattr(ip, "is_site_local", False):
        return "a site-local address"
    if not ip.is_global:  # shared address space (100.64/10) and the like
        return "not a public address"
    return None
