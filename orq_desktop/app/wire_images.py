"""The Images tab's wiring: its panel, its jobs and library, its own routing options."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orq_desktop import paths

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings

    from orq_desktop.app.parts import AppParts
    from orq_desktop.core.image_job import ImageJob


def build_images_panel(parts: AppParts, layout: QSettings) -> None:
    """The Images tab, with its own routing options (no thread, inputs or knowledge bases)."""
    from orq_desktop.core.image_job import ImageJobs
    from orq_desktop.core.image_library import ImageLibrary
    from orq_desktop.core.routing_state import RoutingState
    from orq_desktop.ui.error_actions import ErrorActionHandler
    from orq_desktop.ui.image_panel import ImagePanel
    from orq_desktop.ui.options_editor import OptionsEditor

    connection, window, settings = parts.connection, parts.window, parts.settings
    folder = settings.images_dir() if settings is not None else paths.images_dir()
    library = ImageLibrary.from_qsettings(layout, folder)
    if settings is not None:
        settings.images_dir_changed.connect(library.set_folder)
    jobs = ImageJobs(
        connection.client,
        library.folder,
        secrets=lambda: (connection.config.api_key or "",),
    )
    routing = RoutingState()
    editor = OptionsEditor("image", routing=routing, settings=layout)
    history = parts.history

    def make_job() -> ImageJob:
        job = jobs.make()
        if history is not None:
            job.image_ready.connect(history.on_image_ready)  # the image is in the history
        return job

    images = ImagePanel(
        make_job, library, orq=editor.orq, thumbnail_dir=paths.data_dir() / "thumbnails"
    )
    window.set_images_panel(images)
    parts.options_stack.addWidget(editor)
    images.status_message.connect(window.show_status)
    images.orq_loaded.connect(editor.set_orq)
    images.form.model_changed.connect(editor.set_primary_model)
    actions = ErrorActionHandler(
        routing,
        parent_widget=window,
        primary_model=lambda: images.form.model_id(),
        resend=images.generate,
        ask_key=parts.ask_key,
        open_settings=parts.ask_key,
        status=window.show_status,
    )
    images.error_action.connect(lambda action_id: actions.handle("", action_id))

    def follow_tab(index: int) -> None:
        on_images = window.tabs.widget(index) is images
        parts.options_stack.setCurrentWidget(editor if on_images else parts.chat_editor)

    window.tabs.currentChanged.connect(follow_tab)
    follow_tab(window.tabs.currentIndex())
    parts.images, parts.image_jobs, parts.image_library = images, jobs, library


async def aclose_images(parts: AppParts) -> None:
    if hasattr(parts, "image_jobs"):
        await parts.image_jobs.aclose()
        await parts.image_library.aclose()
