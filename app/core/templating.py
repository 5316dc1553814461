"""Template helpers every page shares: times in the page's timezone, durations, the page."""

from app.core.settings import page_settings
from app.timefmt import format_duration, time_tag


def init_app(app):
    @app.template_filter("time_tag")
    def _time_tag(value, fmt="%Y-%m-%d %H:%M"):
        return time_tag(value, page_settings().timezone, fmt)

    @app.template_filter("duration")
    def _duration(seconds):
        return format_duration(seconds)

    @app.context_processor
    def _page():
        return {"page": page_settings()}
