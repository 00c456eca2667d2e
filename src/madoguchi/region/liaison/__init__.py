"""The liaison desk (DX推進リエゾン): consultations, 出前講座, knowledge base, notices."""
