from app.markdown import markdown_to_text, render_markdown


def test_markdown_renders_emphasis_and_links():
    html = render_markdown("We are **investigating**. See [status](https://example.com/s).")
    assert "<strong>investigating</strong>" in html
    assert 'href="https://example.com/s"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_script_and_raw_html_never_survive():
    html = render_markdown(
        "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=y>"
    )
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html  # shown as text, not run
    assert 'href="javascript' not in html


def test_plain_text_keeps_link_targets():
    text = markdown_to_text("## Fixed\nSee **the** [report](https://example.com/r).")
    assert text == "Fixed\nSee the report (https://example.com/r)."
