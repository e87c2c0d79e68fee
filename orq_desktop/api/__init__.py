"""orq_desktop.api"""
