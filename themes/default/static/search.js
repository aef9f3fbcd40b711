/* placeholder: replaced by the search runtime */
