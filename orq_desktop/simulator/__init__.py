"""orq_desktop.simulator"""
