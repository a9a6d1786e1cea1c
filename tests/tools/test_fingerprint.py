from tools.fingerprint import hash_paths, is_current, read_stamp, write_stamp


def _tree(root):
    (root / "bot" / "channels").mkdir(parents=True)
    (root / "bot" / "domain.yml").write_text("intents: [greet]\n")
    (root / "bot" / "channels" / "rest.py").write_text("x = 1\n")
    (root / "config.yml").write_text("language: da\n")
    return [root / "config.yml", root / "bot", root / "nlu_data"]


def test_hash_is_stable_and_changes_with_content(tmp_path):
    paths = _tree(tmp_path)
    first = hash_paths(paths, tmp_path)
    assert hash_paths(list(reversed(paths)), tmp_path) == first
    (tmp_path / "bot" / "domain.yml").write_text("intents: [greet, goodbye]\n")
    assert hash_paths(paths, tmp_path) != first


def test_new_file_and_rename_change_the_hash(tmp_path):
    paths = _tree(tmp_path)
    before = hash_paths(paths, tmp_path)
    (tmp_path / "nlu_data").mkdir()
    (tmp_path / "nlu_data" / "a.yml").write_text("nlu: []\n")
    with_file = hash_paths(paths, tmp_path)
    assert with_file != before
    (tmp_path / "nlu_data" / "a.yml").rename(tmp_path / "nlu_data" / "b.yml")
    assert hash_paths(paths, tmp_path) != with_file


def test_caches_and_excluded_dirs_do_not_count(tmp_path):
    paths = _tree(tmp_path)
    excluded = [tmp_path / "bot" / "channels"]
    before = hash_paths(paths, tmp_path, exclude=excluded)
    (tmp_path / "bot" / "__pycache__").mkdir()
    (tmp_path / "bot" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    (tmp_path / "bot" / "channels" / "rest.py").write_text("x = 2\n")
    assert hash_paths(paths, tmp_path, exclude=excluded) == before
    assert hash_paths(paths, tmp_path) != before


def test_stamp_roundtrip_and_outputs(tmp_path):
    stamp = tmp_path / "s" / "stamp"
    assert read_stamp(stamp) is None
    write_stamp(stamp, "abc")
    assert read_stamp(stamp) == "abc"
    output = tmp_path / "model.tar.gz"
    assert not is_current(stamp, "abc", output)  # output missing
    output.write_bytes(b"m")
    assert is_current(stamp, "abc", output)
    assert not is_current(stamp, "other", output)


def test_changed_files_names_added_removed_and_edited(tmp_path):
    from tools.fingerprint import changed_files, file_hashes

    paths = _tree(tmp_path)
    before = file_hashes(paths, tmp_path)
    assert before["nlu_data"] == "missing"
    (tmp_path / "config.yml").write_text("language: en\n")
    (tmp_path / "bot" / "channels" / "rest.py").unlink()
    (tmp_path / "bot" / "new.yml").write_text("x: 1\n")
    after = file_hashes(paths, tmp_path)
    assert changed_files(before, after) == ["bot/channels/rest.py", "bot/new.yml", "config.yml"]
    assert changed_files(after, after) == []
