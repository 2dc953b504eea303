"""Unit tests of the DMN parser, compiler, hit policies and results (package: names may repeat)."""

from __future__ import annotations
