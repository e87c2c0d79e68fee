"""orq_desktop.core"""
