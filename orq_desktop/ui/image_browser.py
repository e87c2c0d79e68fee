"""The gallery tab: a search field, the thumbnails, and what can be done with the selected image."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from orq_desktop.core.image_types import GalleryItem
from orq_desktop.ui.image_gallery import (
    ITEM_ROLE,
    GalleryFilter,
    GalleryModel,
    GalleryView,
    placeholder_pixmap,
)
from orq_desktop.ui.image_thumbs import ThumbnailLoader
from orq_desktop.ui.layout import em, hbox, spacing
from orq_desktop.ui.widgets_labels import QuietLabel


class ImageBrowser(QWidget):
    """Browse every saved image, newest first; search by prompt; act on the selection.

    Signals:
        selected(item): the selected ``GalleryItem`` changed (None when nothing is selected).
        load_requested(item): put this image's settings into the form (double-click, Enter).
        rerun_requested(item): put its settings into the form and generate again.
        save_as_requested(item), copy_requested(item): file actions on the image.
        open_folder_requested(): show the images folder in the file manager.
        choose_folder_requested(): pick another images folder.
    """

    selected = Signal(object)
    load_requested = Signal(object)
    rerun_requested = Signal(object)
    save_as_requested = Signal(object)
    copy_requested = Signal(object)
    open_folder_requested = Signal()
    choose_folder_requested = Signal()

    def __init__(self, loader: ThumbnailLoader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        gap = spacing(self)
        self.loader = loader
        self.model = GalleryModel(loader, self)
        self.model.set_placeholder(placeholder_pixmap(loader.side, self.palette()))
        self.proxy = GalleryFilter(self)
        self.proxy.setSourceModel(self.model)
        self.view = GalleryView(loader.side, self)
        self.view.setModel(self.proxy)

        self.search = QLineEdit(self)
        self.search.setObjectName("imageGallerySearch")
        self.search.setPlaceholderText("Search prompts…")
        self.search.setAccessibleName("Search images by prompt")
        self.search.setClearButtonEnabled(True)
        self.count_label = QuietLabel("", self)
        self.count_label.setObjectName("imageGalleryCount")
        self.folder_label = QuietLabel("", self)
        self.folder_label.setObjectName("imageFolderLabel")
        self.empty_label = QLabel("No images yet: generated images appear here.", self)
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setVisible(False)

        self.rerun_button = self._button("Re-run", "imageRerunButton", self._on_rerun_clicked)
        self.rerun_button.setToolTip("Load this image's settings and generate it again")
        self.load_button = self._button("Use settings", "imageLoadButton", self._on_load_clicked)
        self.load_button.setToolTip("Load this image's prompt, model and options into the form")
        self.save_button = self._button("Save as…", "imageSaveAsButton", self._on_save_clicked)
        self.copy_button = self._button("Copy image", "imageCopyButton", self._on_copy_clicked)
        self.open_button = self._button(
            "Open folder", "imageOpenFolderButton", self.open_folder_requested.emit
        )
        self.folder_button = self._button(
            "Folder…", "imageFolderButton", self.choose_folder_requested.emit
        )
        self.folder_button.setToolTip("Choose where generated images are saved")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, gap, 0, 0)
        layout.setSpacing(gap)
        # Fixed: a box layout places an Ignored-policy label past its edge when space is short.
        self.count_label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.count_label.setFixedWidth(em(self, 9))
        layout.addLayout(hbox(0, gap, self.search, self.count_label))
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty_label, 1)
        buttons = hbox(0, gap, self.rerun_button, self.load_button, self.save_button)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.folder_label, 1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.folder_button)
        layout.addLayout(buttons)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.view.activated_item.connect(self.load_requested.emit)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        self._update_count()
        self._on_selection_changed(QItemSelection(), QItemSelection())

    # -- public ---------------------------------------------------------------------------------

    def set_items(self, items: list[GalleryItem]) -> None:
        current = self.current_item()
        self.model.set_items(items)
        if current is not None:
            self.select_path(current.path)
        self._update_count()

    def add_item(self, item: GalleryItem) -> None:
        self.model.prepend(item)
        self._update_count()

    def set_folder(self, folder: str) -> None:
        self.folder_label.set_full_text(folder)
        self.open_button.setToolTip(f"Show {folder} in the file manager")

    def current_item(self) -> GalleryItem | None:
        item = self.view.currentIndex().data(ITEM_ROLE)
        selected = self.view.selectionModel().hasSelection()
        return item if selected and isinstance(item, GalleryItem) else None

    def select_path(self, path: str) -> bool:
        row = self.model.row_of(path)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row))
        if not index.isValid():
            return False
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        return True

    def visible_count(self) -> int:
        return self.proxy.rowCount()

    # -- internals --------------------------------------------------------------------------------

    def _button(self, text: str, name: str, slot: object) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def _update_count(self, *_args: object) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if self.search.text().strip():
            self.count_label.set_full_text(f"{shown} of {total} images")
        else:
            self.count_label.set_full_text(f"{total} image{'' if total == 1 else 's'}")
        self.empty_label.setVisible(total == 0)
        self.view.setVisible(total > 0)

    def _on_search_text_changed(self, text: str) -> None:
        self.proxy.set_query(text)
        self._update_count()

    def _on_selection_changed(self, _new: QItemSelection, _old: QItemSelection) -> None:
        item = self.current_item()
        has = item is not None
        can_rerun = has and bool(item and item.settings and item.model)
        self.rerun_button.setEnabled(can_rerun)
        self.load_button.setEnabled(can_rerun)
        for button in (self.save_button, self.copy_button):
            button.setEnabled(has)
        self.selected.emit(item)

    def _on_rerun_clicked(self) -> None:
        if (item := self.current_item()) is not None:
            self.rerun_requested.emit(item)

    def _on_load_clicked(self) -> None:
        if (item := self.current_item()) is not None:
            self.load_requested.emit(item)

    def _on_save_clicked(self) -> None:
        if (item := self.current_item()) is not None:
            self.save_as_requested.emit(item)

    def _on_copy_clicked(self) -> None:
        if (item := self.current_item()) is not None:
            self.copy_requested.emit(item)
