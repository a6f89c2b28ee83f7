"""PAT staff's side: their texts, the hand-off to a person in the chat, statistics, the digest,
the export, the flow diagrams and the text review.
"""
