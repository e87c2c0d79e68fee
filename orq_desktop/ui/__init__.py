"""orq_desktop.ui"""
