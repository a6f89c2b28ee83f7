"""The conversation service shared by every channel: one event in, the state stored, the answer
rendered in the person's language; limits against floods.
"""
