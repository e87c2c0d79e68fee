"""orq_desktop.domain"""
