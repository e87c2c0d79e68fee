"""orq_desktop.store"""
