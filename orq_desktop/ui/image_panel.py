"""The image panel: generate (one request or a grid of up to four), keep, browse, view, re-run.

It talks to image jobs (``orq_desktop.core.image_job``) and the image library
(``orq_desktop.core.image_library``) only through their methods and signals; it owns no request,
awaits nothing, and never touches httpx or the files' store. Built by the composition root:

    library = ImageLibrary.from_qsettings(settings, paths.images_dir())
    jobs = ImageJobs(connection.client, library.folder, secrets=lambda: (key,))
    panel = ImagePanel(jobs.make, library, orq=routing.orq, thumbnail_dir=...)
    panel.orq_loaded.connect(routing.set_orq)    # a re-run sends the same routing options
    ...
    await jobs.aclose(); await library.aclose()  # at shutdown
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QMenu,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from orq_desktop.core.image_options import build_request, request_from_settings
from orq_desktop.core.image_types import GalleryItem, ReadyImage
from orq_desktop.ui.image_browser import ImageBrowser
from orq_desktop.ui.image_files import ImageFileActions, LibraryLike, dropped_image
from orq_desktop.ui.image_form import ImageForm
from orq_desktop.ui.image_grid import GridBar
from orq_desktop.ui.image_results import ResultsView
from orq_desktop.ui.image_runs import GenerateRuns, JobFactory, JobLike
from orq_desktop.ui.image_thumbs import FullImageLoader, ThumbnailLoader
from orq_desktop.ui.image_viewer import ImageViewer
from orq_desktop.ui.layout import em, hbox, spacing
from orq_desktop.ui.widgets_inline import InlineMessage
from orq_desktop.ui.widgets_labels import QuietLabel

RESULT_THUMB = 256


class ImagePanel(QWidget):
    """Generate images and keep them; browse, view and re-run the ones kept.

    Args:
        jobs: makes an image job (one per grid column, made when first needed).
        library: the images folder.
        orq: gives the routing options for the next request (the options editor's ``orq``).
        thumbnail_dir: where gallery thumbnails are cached between runs (None: memory only).

    Signals:
        status_message(text): a short line for the window's status bar.
        error_action(action_id): an error card's fix the app handles ("reenter_key",
            "add_fallback", "raise_timeout", "retry_on_code:<n>", "open_settings").
        orq_loaded(orq): a loaded image's routing options; the app puts them in the options
            editor so that the re-run sends exactly what the original request sent.
    """

    status_message = Signal(str)
    error_action = Signal(str)
    orq_loaded = Signal(dict)

    def __init__(
        self,
        jobs: JobFactory,
        library: LibraryLike,
        *,
        orq: Callable[[], dict[str, Any]] | None = None,
        thumbnail_dir: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("imagePanel")
        self.setAcceptDrops(True)
        self._library = library
        self._orq = orq
        self._loaded_orq: dict[str, Any] = {}  # used when no options editor gives ``orq``
        self._extra: dict[str, Any] = {}  # loaded top-level fields the form does not edit
        self._shown_first = False
        self._listed_once = False
        gap = spacing(self)

        self.gallery_thumbs = ThumbnailLoader(cache_dir=thumbnail_dir, parent=self)
        self.result_thumbs = ThumbnailLoader(RESULT_THUMB, memory_items=40, parent=self)
        self.full_images = FullImageLoader(self)
        self.form = ImageForm(self)
        self.grid_toggle = QCheckBox("Grid", self)
        self.grid_toggle.setObjectName("imageGridToggle")
        self.grid_toggle.setToolTip("The same prompt with up to 4 models or settings at once")
        self.grid_bar = GridBar(self)
        self.grid_bar.setVisible(False)
        self.generate_button = QPushButton("Generate", self)
        self.generate_button.setObjectName("generateButton")
        self.generate_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("imageCancelButton")
        self.cancel_button.setToolTip("Stop waiting; images already saved are kept (Esc)")
        self.status_label = QuietLabel("", self)
        self.status_label.setObjectName("imageStatus")
        self.notice = InlineMessage(self)
        self.notice.setObjectName("imageNotice")

        self.results = ResultsView(self.result_thumbs, self)
        self.browser = ImageBrowser(self.gallery_thumbs, self)
        self.viewer = ImageViewer(self.full_images, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("imageTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.results, "Results")
        self.tabs.addTab(self.browser, "Gallery")
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("imageSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self.viewer)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([em(self, 48), em(self, 30)])
        self.files = ImageFileActions(self, library, self.full_images)
        self.runs = GenerateRuns(jobs, self.results, self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(gap, gap, gap, gap)
        layout.setSpacing(gap)
        layout.addWidget(self.form)
        layout.addWidget(self.grid_bar)
        actions = hbox(0, gap, self.grid_toggle)
        actions.addWidget(self.status_label, 1)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.generate_button)
        layout.addLayout(actions)
        layout.addWidget(self.notice)
        layout.addWidget(self.splitter, 1)

        self.generate_action = self._action(
            "&Generate", ["Ctrl+Return", "Ctrl+Enter"], self.generate
        )
        self.cancel_action = self._action("&Cancel", ["Esc"], self.cancel)
        self.form.prompt.viewport().installEventFilter(self)
        self._connect_signals()
        self.browser.set_folder(str(library.folder()))
        self.refresh()

    # -- actions --------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.runs.busy

    def generate_blocker(self) -> str | None:
        """Why Generate is disabled right now (shown as its tooltip), or None."""
        if self.busy:
            return "Images are being generated: wait, or press Cancel (Esc)."
        if reason := self.form.validity():
            return reason
        if self.grid_toggle.isChecked() and not self.grid_bar.variants:
            return "Add at least one column to the grid."
        return None

    def generate(self) -> None:
        """Send the prompt once, or once per grid column; results appear side by side."""
        if reason := self.generate_blocker():
            self.notice.set_text(reason)
            return
        orq = self._orq() if self._orq is not None else self._loaded_orq
        columns: list[tuple[str, dict[str, Any]]] = []
        notes: list[str] = []
        if self.grid_toggle.isChecked():
            prompt = self.form.prompt_text()
            for v in self.grid_bar.variants:
                request, why = build_request(prompt, v.model, v.options, orq, self._extra)
                columns.append((v.label, request))
                notes += why
        else:
            request, notes = self.form.request(orq, self._extra)
            columns.append((self.form.summary(), request))
        self.notice.set_text(" ".join(dict.fromkeys(notes)) or None)
        self.tabs.setCurrentWidget(self.results)
        self._shown_first = False
        self.runs.start(columns)
        self.refresh()

    def cancel(self) -> None:
        if self.runs.cancel():
            self.status_message.emit("Cancelled: images already saved are kept.")

    def load_request(self, request: dict[str, Any], source: str = "") -> None:
        """Put a saved request in the form (and its routing options in the options editor)."""
        self.grid_toggle.setChecked(False)
        rest, notes = self.form.set_request(request)
        orq = rest.pop("orq", None)
        self._loaded_orq = dict(orq) if isinstance(orq, dict) else {}
        self._extra = rest
        self.orq_loaded.emit(dict(self._loaded_orq))
        name = Path(source).name if source else "the image"
        self.notice.set_text(" ".join(notes) or None)
        self.status_message.emit(f"Loaded the settings of {name}: press Generate to re-run.")
        self.refresh()

    def load_item(self, item: GalleryItem | ReadyImage) -> bool:
        """Load a gallery item's (or a result's) saved request; False if it holds none."""
        request = request_from_settings(item.settings or {})
        if request is None:
            self.notice.set_text("This image holds no settings to re-run.")
            return False
        self.load_request(request, item.path)
        return True

    def rerun(self, item: GalleryItem) -> None:
        """Load the image's settings and generate again at once."""
        if self.busy:
            self.notice.set_text("Images are being generated: wait, or press Cancel (Esc).")
            return
        if self.load_item(item):
            self.generate()

    def refresh(self) -> None:
        """Bring Generate, Cancel and the shortcuts in line with the jobs and the form."""
        busy = self.busy
        blocker = self.generate_blocker()
        self.generate_button.setEnabled(blocker is None)
        self.generate_button.setToolTip(blocker or "Generate the image (Ctrl+Enter)")
        self.cancel_button.setEnabled(busy)
        shown = self.isVisible()
        self.generate_action.setEnabled(shown and blocker is None)
        self.cancel_action.setEnabled(shown and busy)

    # -- state that outlives the window ---------------------------------------------------------

    def save_state(self, settings: QSettings, prefix: str = "images") -> None:
        settings.setValue(f"{prefix}/splitter", self.splitter.saveState())
        settings.setValue(f"{prefix}/viewer_splitter", self.viewer.splitter.saveState())
        settings.setValue(f"{prefix}/tab", self.tabs.currentIndex())

    def restore_state(self, settings: QSettings, prefix: str = "images") -> None:
        for key, splitter in (
            ("splitter", self.splitter),
            ("viewer_splitter", self.viewer.splitter),
        ):
            state = settings.value(f"{prefix}/{key}")
            if isinstance(state, QByteArray):
                splitter.restoreState(state)
        tab = str(settings.value(f"{prefix}/tab", "0"))
        self.tabs.setCurrentIndex(int(tab) if tab.isdigit() else 0)

    # -- drops ----------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_image(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        path = dropped_image(event.mimeData())
        if path is None:
            super().dropEvent(event)
            return
        event.acceptProposedAction()
        self._library.load_settings(path)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A PNG dropped on the prompt loads its settings instead of pasting its file name."""
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            mime = event.mimeData()  # type: ignore[attr-defined]
            if dropped_image(mime) is not None:
                event.acceptProposedAction()  # type: ignore[attr-defined]
                if kind == QEvent.Type.Drop:
                    self._library.load_settings(str(dropped_image(mime)))
                return True
        return super().eventFilter(watched, event)

    # -- results --------------------------------------------------------------------------------

    def _on_runs_image_saved(self, image: ReadyImage) -> None:
        self._library.add_ready(image)
        if not self._shown_first:
            self._shown_first = True
            self._show_ready(image)
        self.status_message.emit(f"Saved {Path(image.path).name}")

    def _on_runs_error_action(self, action: str) -> None:
        if action == "choose_folder":
            self.files.choose_folder()
        elif action == "smaller_size":
            self.form.combos["size"].setFocus()
            self.notice.set_text("Pick a smaller size, then generate again.")
        else:
            self.error_action.emit(action)

    def image_menu(self, image: ReadyImage) -> QMenu:
        """The context menu of a result tile."""
        return self.files.menu(
            image, view=lambda: self._show_ready(image), use=lambda: self.load_item(image)
        )

    def _show_ready(self, image: ReadyImage) -> None:
        self.viewer.show_image(image.path, image.settings, width=image.width, height=image.height)

    # -- wiring ---------------------------------------------------------------------------------

    def _action(self, text: str, keys: list[str], slot: Callable[[], None]) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _connect_signals(self) -> None:
        lib, browser = self._library, self.browser
        self.form.changed.connect(self.refresh)
        self.grid_toggle.toggled.connect(self._on_grid_toggled)
        self.grid_bar.add_requested.connect(self._on_grid_add_requested)
        self.grid_bar.variant_clicked.connect(self._on_grid_variant_clicked)
        self.grid_bar.changed.connect(self.refresh)
        self.generate_button.clicked.connect(self.generate)
        self.cancel_button.clicked.connect(self.cancel)
        lib.listed.connect(lambda _folder, items: browser.set_items(items))
        lib.added.connect(browser.add_item)
        lib.folder_changed.connect(self._on_library_folder_changed)
        lib.settings_loaded.connect(lambda path, request, _s: self.load_request(request, path))
        lib.settings_missing.connect(lambda _path, reason: self.notice.set_text(reason))
        browser.selected.connect(self._on_browser_selected)
        browser.load_requested.connect(self.load_item)
        browser.rerun_requested.connect(self.rerun)
        browser.save_as_requested.connect(self.files.save_as)
        browser.copy_requested.connect(self.files.copy_image)
        browser.open_folder_requested.connect(self.files.open_folder)
        browser.choose_folder_requested.connect(self.files.choose_folder)
        self.files.message.connect(self.status_message.emit)
        self.files.problem.connect(self.notice.set_text)
        runs = self.runs
        runs.busy_changed.connect(self.refresh)
        runs.status.connect(self.status_label.set_full_text)
        runs.image_saved.connect(self._on_runs_image_saved)
        runs.image_clicked.connect(self._show_ready)
        runs.image_menu.connect(lambda image, pos: self.image_menu(image).popup(pos))
        runs.refused.connect(self.notice.set_text)
        runs.failed.connect(lambda error: self.status_message.emit(f"Image failed: {error.title}"))
        runs.error_action.connect(self._on_runs_error_action)

    def _on_grid_toggled(self, on: bool) -> None:
        self.grid_bar.setVisible(on)
        if on and not self.grid_bar.variants:
            self._on_grid_add_requested()
        self.refresh()

    def _on_grid_add_requested(self) -> None:
        if self.form.validity() not in (None, "Describe the image first."):
            self.notice.set_text(self.form.validity())
            return
        if not self.grid_bar.add(self.form.model_id(), self.form.options(), self.form.summary()):
            self.notice.set_text("That column is already in the grid (or the grid is full).")

    def _on_grid_variant_clicked(self, index: int) -> None:
        variant = self.grid_bar.variants[index]
        self.form.set_request({"model": variant.model, **variant.options})

    def _on_library_folder_changed(self, folder: str) -> None:
        self.browser.set_folder(folder)
        self.status_message.emit(f"New images are saved in {folder}")

    def _on_browser_selected(self, item: GalleryItem | None) -> None:
        if item is None:
            return
        self.viewer.show_image(
            item.path,
            item.settings,
            width=item.width,
            height=item.height,
            size_bytes=item.size_bytes,
        )

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._listed_once:
            self._listed_once = True  # the folder is listed when the panel is first seen
            self._library.refresh()
        self.refresh()

    def hideEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        super().hideEvent(event)
        self.refresh()


__all__ = ["ImagePanel", "JobFactory", "JobLike", "LibraryLike"]
