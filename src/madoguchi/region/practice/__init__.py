"""The good-practice library (参考事例集, 横展開): cases, their effects (measured by Madoguchi or
reported), the prefecture's review and who took a case up with what result."""
