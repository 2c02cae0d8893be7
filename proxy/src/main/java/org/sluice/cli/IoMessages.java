package org.sluice.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;

/** Short, human wording for the I/O failures a user can fix (missing file, permissions), instead of class names. */
public final class IoMessages {

    private IoMessages() {
    }

    /** Why it failed, without the file name (the caller names the file). */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "not a folder";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        if (e instanceof FileSystemException fileSystem) {
            return fileSystem.getReason() != null ? fileSystem.getReason() : words(e.getClass().getSimpleName());
        }
        return e.getMessage() != null ? e.getMessage() : words(e.getClass().getSimpleName());
    }

    /** "DirectoryNotEmptyException" becomes "directory not empty". */
    private static String words(String exceptionName) {
        String name = exceptionName.endsWith("Exception")
                ? exceptionName.substring(0, exceptionName.length() - "Exception".length()) : exceptionName;
        return name.replaceAll("(?<=[a-z])(?=[A-Z])", " ").toLowerCase(Locale.ROOT);
    }

    /** Which file and why, for exceptions whose file the caller does not know. */
    public static String describe(IOException e) {
        if (e instanceof FileSystemException fileSystem && fileSystem.getFile() != null) {
            return fileSystem.getFile() + ": " + reason(e);
        }
        return reason(e);
    }
}
